"""Every diagnostic code, in one registry: its severity, what it means and what to do about
it. `Diagnostics` refuses a code not listed here, `ketabrochure explain CODE` prints an entry,
and tests/test_codes.py checks the list against the codes the source reports and README.
Plain data: every module imports it (through diagnostics), so it imports nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["error", "warning", "either"]  # either: the same problem, by a rule's choice


@dataclass(frozen=True)
class Code:
    name: str
    severity: Family
    meaning: str
    fix: str

    def allows(self, severity: str) -> bool:
        return self.severity in ("either", severity)

    def explained(self) -> str:
        """The entry as `ketabrochure explain` prints it."""
        meaning = self.meaning[0].upper() + self.meaning[1:]
        return f"{self.name} ({self.severity})\n\n{meaning}.\n\nWhat to do: {self.fix}.\n"

    def as_json(self) -> dict[str, str]:
        return {"code": self.name, "severity": self.severity, "meaning": self.meaning,
                "fix": self.fix}


E: Family = "error"
W: Family = "warning"
EITHER: Family = "either"
_TABLE: tuple[tuple[str, Family, str, str], ...] = (
    ("asset.font", E, "a vendored font file cannot be read as a font",
     "put the real font file back from the ketabrochure repository"),
    ("chart.incomplete", E, "an outcome's chart leaves out a study on file that measures it",
     "add it to the outcome's studies, or say why not: left_out: {id: \"reason\"}"),
    ("chart.left-out", E, "left_out names a study the outcome charts",
     "remove it from left_out"),
    ("check.contrast", E, "text on the laid-out page is too faint against its background",
     "darken the text's colour or lighten its background (the layout's CSS, the clinic colours)"),
    ("check.enclosure", E, "a referral packet encloses an evidence sheet longer than one page",
     "shorten the sheet: its own check.page-count error says what runs over"),
    ("check.margin", E, "ink (or the phone, crisis line) lies too near the page edge to print",
     "widen the page margins in the layout's CSS"),
    ("check.overflow", E, "a word or box runs past its column or page on the laid-out page",
     "shorten that word or let it break (a space, a hyphen, or a note)"),
    ("check.page-count", E, "a document runs past its page budget",
     "shorten the texts the error names (the longest first); the PDF is in out/.rejected/"),
    ("check.panel-overflow", E, "a tri-fold panel's content is taller than the panel",
     "shorten that panel's texts by about what the error says"),
    ("check.readability", EITHER, "a patient text reads above the target grade (error: far above)",
     "use shorter sentences and shorter words"),
    ("check.template-slot", E, "a layout does not print a text every such document must carry",
     "print it in the template where the error says ({{ crisis | tr }} and the like)"),
    ("check.text-size", E, "text on the laid-out page is smaller than the legible minimum",
     "set it larger in the layout's CSS"),
    ("claims.approval", E, "a text says ketamine is approved, cleared or authorised",
     "say it is not approved for this use; state esketamine's approvals only of it"),
    ("claims.permanence", E, "a text promises a cure or a lasting or guaranteed result",
     "say what a study found and how long it lasted; or allow: {word: \"reason\"}"),
    ("claims.proof", E, "a text calls the treatment proven, best, fastest or a breakthrough",
     "say what a named study found, with its size; or allow: {word: \"reason\"}"),
    ("claims.safety", E, "a text calls the treatment safe, non-addictive or free of side effects",
     "name the side effects and what is not known; or allow: {word: \"reason\"}"),
    ("claims.selling", E, "a text sells early studies as promising, pilot or preliminary",
     "say what the studies found and how small they were"),
    ("claims.testimonial", E, "a text tells a first-person experience (a testimonial)",
     "report what a study found instead"),
    ("content.allow", EITHER, "an allow: entry names no claim word or no longer applies",
     "name a forbidden phrase or claim word with its reason; remove an allowance not needed"),
    ("content.bilingual", E, "a patient text is not a mapping {en: ..., es: ...}",
     "write it as en: and es: texts"),
    ("content.certainty-typed", E, "a condition types its certainty, which is computed",
     "remove certainty: it follows from the outcomes' GRADE ratings"),
    ("content.chart-twice", E, "a study's rates are charted under two outcomes",
     "write chart: false on the outcome they should not be charted under"),
    ("content.crisis", E, "the crisis line is missing, incomplete, untranslated or repeated",
     "keep one crisis text in patient.yaml, with 988 and 911, in every language"),
    ("content.date", E, "a date is not written YYYY-MM-DD", "write it as YYYY-MM-DD"),
    ("content.doi", E, "a DOI is not written like 10.1234/abc",
     "write it without the https://doi.org/ prefix"),
    ("content.duplicate", E, "a glossary term or a location id is defined twice",
     "keep one of the two"),
    ("content.duplicate-id", E, "two content files have the same id", "delete one of the two"),
    ("content.empty", E, "a content file is empty", "write the fields it needs"),
    ("content.file-name", EITHER, "a file under content/ is not read because of its name",
     "rename it as the message says, or move it out of content/"),
    ("content.forbidden", E, "a patient text says a phrase patient.yaml forbids",
     "reword it; if the text must say it, give the reason: allow: {phrase: \"reason\"}"),
    ("content.glyph", E, "a text uses characters the vendored fonts cannot print",
     "use other characters (e.g. 'at least' for '≥') or add a font that has them"),
    ("content.grade-lenient", E, "a GRADE rating is more lenient than the rules allow",
     "remove the start, upgrade or missing downgrade the error names"),
    ("content.grade-verb", E, "a bottom line states a certainty the outcomes do not have",
     "use GRADE's words for the condition's certainty"),
    ("content.id", E, "an id or file name is not lower-case letters, digits and hyphens",
     "rename it with lower-case letters, digits and hyphens"),
    ("content.invalid", E, "a value is not one the field accepts", "use one the message lists"),
    ("content.location-repeats", W, "a location repeats a value the clinic already gives",
     "leave it out: a location without its own value uses the clinic's"),
    ("content.mechanism", E, "a key point cites only mechanism or animal studies without saying so",
     "say in the text that the evidence is from mechanism or animal studies"),
    ("content.missing-field", E, "a required field is missing or empty", "write it"),
    ("content.missing-file", E, "a file the content names does not exist",
     "add the file, or name one that exists"),
    ("content.no-critical", E, "no outcome of a condition is marked importance: critical",
     "mark the outcomes a referring physician decides on as critical"),
    ("content.no-reason", E, "a left-out study or a GRADE rating has no reason",
     "write the reason beside it"),
    ("content.no-result", E, "a study is cited for evidence but has no confirmed outcome",
     "remove it until its results are checked against the article"),
    ("content.no-studies", E, "a graded outcome lists no studies",
     "add studies: [id, ...], the efficacy studies that measured it, or remove the outcome"),
    ("content.not-efficacy", E, "a graded outcome lists a study that cannot back it",
     "remove it from the outcome's studies (cite it in a text instead)"),
    ("content.off-label", E, "the off-label statement is missing, uncited or not marked once",
     "mark exactly one fact off_label: true, and cite and list it where the error says"),
    ("content.off-label-indication", E, "the printed off-label statement misses the indication",
     "write {indication} in off_label, or add the missing words to the indication"),
    ("content.outdated", E, "a printed sentence states something known to be out of date",
     "remove or correct it as the message says"),
    ("content.patient-evidence", E, "a patient text cites a study that is not an efficacy study",
     "cite only studies in people that test whether treatment works"),
    ("content.placeholder", E, "a text's {placeholder} names nothing on record",
     "name a study, field and fact that exist (the message says which is wrong)"),
    ("content.pmid", E, "a PubMed id is not digits only", "write the digits only"),
    ("content.preclinical", E, "a key point cites an animal study without saying so",
     "say in the text that it is an animal study"),
    ("content.rating", E, "a GRADE rating's `by` is not a step GRADE allows",
     "use one of the steps the message gives"),
    ("content.reviewed-typed", E, "a file types reviewed_on, which is no longer typed",
     "remove it: the review date comes from the sign-off (ketabrochure approve)"),
    ("content.stray-quote", W, "a quote mark without its partner is printed as typed",
     "add the other one, or delete it"),
    ("content.todo", E, "a value is still its TODO placeholder", "write the real value"),
    ("content.too-large", E, "the project's content is past the size bound", "split or trim it"),
    ("content.translation", E, "a patient text has no Spanish translation",
     "add es: beside en:, or mark the field english_only: true"),
    ("content.type", E, "a value has the wrong type (text, number, list, mapping)",
     "write it as the message says"),
    ("content.uncited", E, "a statement or key point with a number or finding cites nothing",
     "cite the studies (cites) or facts (facts) it comes from"),
    ("content.unknown-field", E, "a field the file does not have (often a misspelling)",
     "fix its spelling (the message suggests one) or remove it"),
    ("content.unknown-layout", E, "documents.yaml names a layout not in layouts/",
     "name a layout that exists"),
    ("content.unknown-ref", E, "an id refers to a study, fact, condition or outcome not on file",
     "name one that exists (the message suggests the nearest)"),
    ("content.unstated", E, "a dose or schedule says in words that it is not known",
     "write not-confirmed or not-reported instead"),
    ("content.untranslated", W, "a Spanish text reads as English",
     "translate it, or mark the field english_only: true"),
    ("content.url", E, "a web address does not start with https://",
     "write the full https:// address"),
    ("content.variant", E, "a non-patient layout asks for variants",
     "remove variants: only patient layouts have them"),
    ("content.year", E, "a year is not a four-digit year from 1900",
     "write it in digits, as the article gives it"),
    ("diff.unreadable", E, "diff cannot read the content", "run ketabrochure check and fix it"),
    ("edition.snapshot", E, "an edition snapshot (content/editions/) was edited by hand or "
     "is misnamed", "restore it from version control, or delete it and sign the edition again "
     "(ketabrochure approve)"),
    ("framing.comparison", E, "a text compares ketamine with a comparator unfairly",
     "say what kind of comparator it was and what the study concluded"),
    ("framing.duration", E, "a text gives a result without how long it lasted",
     "say how long it lasted, or that the study does not report it"),
    ("framing.later-null", E, "a text gives an early result the study did not find later",
     "say the later time point found no significant difference"),
    ("framing.not-significant", E, "a text prints a number the study found not significant",
     "say that the study found no significant difference"),
    ("framing.open-label", E, "a text reports an open-label study's result without saying so",
     "say that people knew what they got"),
    ("framing.small-study", E, "a text gives a small study's rate or count without its size",
     "say in the same sentence how many people it had ({study.n})"),
    ("framing.time-claim", E, "a text says how fast or how long without a record that holds it",
     "cite the study whose timepoint or `lasted` it is, or use its time"),
    ("framing.timepoint", E, "a text gives a result without the time point it was measured at",
     "name that time point in the same text"),
    ("internal", E, "ketabrochure failed (a bug)", "report it, with the message"),
    ("internal.context", E, "a document's content could not be gathered (a bug)",
     "report it, with the message"),
    ("join.documents", E, "a shard's render cache (out/.cache/) lacks the result of a document "
     "its record lists", "rebuild that shard with `build --shard K/N` and upload its out/ with "
     "its hidden files"),
    ("join.inputs", E, "a shard was built from other content, layouts, code or libraries than "
     "the project join runs in", "build every shard from the commit join runs on"),
    ("join.record", E, "a folder given to join is not a shard's out/ or its shard record "
     "cannot be read", "name each `build --shard K/N` run's out/ folder, as it was uploaded"),
    ("join.shards", E, "the shards given are not one run's N shares, each once (or lie in "
     "out/ or the --out DIR)", "give join every shard 1/N to N/N of one run, from outside "
     "out/ and DIR"),
    ("layout.missing", E, "the project has no layouts/ folder",
     "copy layouts/ and assets/ from the ketabrochure repository"),
    ("layout.missing-file", E, "a layout's template or a layout a document needs does not exist",
     "add the file, or name one that exists"),
    ("layout.render", E, "a layout's template failed while rendering",
     "fix the template at the line the error points at"),
    ("layout.syntax", E, "a layout's template is not valid Jinja",
     "fix the template syntax at the line given"),
    ("numbers.parity", E, "the Spanish text's placeholders differ from the English text's",
     "carry exactly the English text's placeholders"),
    ("numbers.quantifier", E, "a text says 'most' or 'many' instead of a rate from the record",
     "give the rate from the record ({study.response}), or leave the quantifier out"),
    ("numbers.record", E, "a text types a number no study or fact it cites holds",
     "take it from the record ({study.n}) or cite what holds it"),
    ("numbers.typed", E, "a text types a result rate instead of taking it from the record",
     "write a placeholder ({study.response}, {study.remission}) or leave it out"),
    ("out.lock", E, "the lock file of out/ cannot be made", "remove it (a new one is made)"),
    ("out.unlisted", W, "a file in out/ is not in out/manifest.json",
     "delete it, or run a full build to replace out/"),
    ("out.unwritable", E, "out/ cannot be written", "make out/ a writable folder"),
    ("out.write", E, "writing into out/ failed",
     "free disk space or fix the permissions, and run again"),
    ("pdf.accessibility", E, "a tagged PDF's structure breaks PDF/UA",
     "mend the layout's HTML: headings in order, list items inside a list"),
    ("pdf.failed", E, "WeasyPrint could not make the PDF", "fix what the message names"),
    ("pdf.url-policy", E, "a document refers to a file outside the project or attaches one",
     "keep stylesheets, fonts and images inside the project; attach nothing"),
    ("pdf.weasyprint", W, "WeasyPrint warned while typesetting",
     "fix the layout's HTML or CSS as the message says"),
    ("physician.duration", E, "a physician text gives a result without how long it lasted",
     "say how long it lasted in the same sentence"),
    ("physician.number", E, "a physician text types a number no cited record holds",
     "take the number from the study record"),
    ("physician.rate-size", E, "a physician text gives a rate without its study's size",
     "write n= (or its arms) in the same sentence"),
    ("physician.relative", E, "a physician text gives a relative effect without absolute numbers",
     "give both groups' rates or events out of n beside it"),
    ("physician.verdict", E, "a physician text contradicts the study's own conclusion",
     "say what the study concluded"),
    ("review.changed", EITHER, "a printed sentence changed since the text was signed off",
     "review it (ketabrochure diff), then ketabrochure approve"),
    ("review.due", W, "a document's review falls due soon", "review it and sign it off again"),
    ("review.expired", EITHER, "a document's review has expired",
     "review it and sign it off again (ketabrochure approve)"),
    ("review.fact-expired", EITHER, "a regulatory fact was verified longer ago than the cadence",
     "check it again and update verified_on"),
    ("review.ledger", E, "a stored approved text is missing or was edited by hand",
     "sign the document off again (ketabrochure approve)"),
    ("review.stale-translation", EITHER, "the English changed since the Spanish was translated",
     "update the Spanish, then ketabrochure translated"),
    ("review.translation", EITHER, "a translation records no English it was translated from",
     "record it (ketabrochure translated)"),
    ("review.unplanned", W, "a sign-off names a document documents.yaml no longer makes",
     "remove it (ketabrochure approve --prune --by NAME), or delete the entry and its text"),
    ("review.unsigned", EITHER, "nobody has signed off this document's text",
     "review it (ketabrochure diff), then ketabrochure approve"),
    ("safety.coverage", E, "side effects leave out one a cited study reports",
     "add it to the side effects, citing the study"),
    ("safety.duration", E, "a text says how long a side effect lasts without a record of it",
     "record `lasted` in the study's adverse_events, or leave the duration out"),
    ("safety.regulatory", E, "side effects do not name or cite a risk the regulatory record gives",
     "name the risk and cite the fact that states it"),
    ("safety.section", E, "a document cites studies but marks no side-effects section",
     "mark the block that lists them (a brochure: section: side-effects)"),
    ("web.check", E, "a page of the web edition breaks a rule (lang, headings, links, words)",
     "fix the layout or text the message names"),
    ("xliff.invalid", E, "an XLIFF file is not valid or holds a DOCTYPE",
     "export it again, or mend its XML"),
    ("xliff.placeholder", E, "an XLIFF target does not keep its source's placeholders",
     "keep each placeholder of the source exactly once"),
    ("xliff.unknown", E, "an XLIFF file names a content file not in this project",
     "import it into the project it was exported from"),
    ("yaml.alias", E, "a YAML alias is recursive or has no anchor before it",
     "define the anchor first, outside what refers to it"),
    ("yaml.alias-bomb", E, "a YAML alias stands for too many values", "write the values out"),
    ("yaml.character", E, "a character that may not appear in YAML", "delete it"),
    ("yaml.comment", W, "' #' cut a text short: YAML read the rest as a comment",
     "quote the text"),
    ("yaml.curly-quote", E, "a text is wrapped in typographic quotes, which would be printed",
     "type them as straight quotes (\")"),
    ("yaml.duplicate-key", E, "a key appears twice in a mapping", "keep one"),
    ("yaml.encoding", E, "a file is not UTF-8 text", "save it as UTF-8"),
    ("yaml.key", E, "a mapping key is not text", "write the key as text"),
    ("yaml.outside", E, "a content file lies outside the project (a symlink)",
     "put the file inside the project folder"),
    ("yaml.read", E, "a content file cannot be read", "make it a readable regular file"),
    ("yaml.syntax", E, "YAML cannot read the file", "fix the YAML at the line given"),
    ("yaml.too-deep", E, "lists and mappings nest too deep", "nest only a few levels"),
    ("yaml.too-large", E, "a content file is past the size bound", "split it"),
    ("yaml.value", E, "a YAML value or tag is not valid (a merge key, a bad date)",
     "write a valid value"),
)
CODES: dict[str, Code] = {name: Code(name, sev, meaning, fix)
                          for name, sev, meaning, fix in _TABLE}


class UnregisteredCode(ValueError):
    """A diagnostic reported with a code not in CODES, or with a severity its code never has:
    a bug in ketabrochure, found by the tests."""


def check(code: str, severity: str) -> None:
    known = CODES.get(code)
    if known is None:
        raise UnregisteredCode(f"diagnostic code {code!r} is not in ketabrochure/codes.py")
    if not known.allows(severity):
        raise UnregisteredCode(f"diagnostic code {code!r} is registered as {known.severity}, "
                               f"reported as {severity}")


def family(prefix: str) -> list[Code]:
    """Every code of a family: 'yaml' (or 'yaml.') -> yaml.alias, yaml.character, ..."""
    stem = prefix.rstrip(".")
    return [c for name, c in CODES.items() if name == stem or name.startswith(stem + ".")]
