// pdf.js's text of each PDF named on the command line, as JSON {file: {text}} on stdout: each
// page's text items in content order, a newline where pdf.js marks an end of line (hasEOL), a
// form feed between pages: what its viewer's text layer and "copy" give. (pdf.js drops a
// line's trailing space and marks the line's end instead, so it cannot show words glued at a
// line break; tests/test_extracted_text.py reads the tag tree with poppler for that.)
import { readFile } from "node:fs/promises";
import { getDocument, VerbosityLevel } from "pdfjs-dist/legacy/build/pdf.mjs";

async function read(path) {
  const data = new Uint8Array(await readFile(path));
  const pdf = await getDocument({ data, verbosity: VerbosityLevel.ERRORS, isEvalSupported: false,
                                  useSystemFonts: false }).promise;
  const pages = [];
  for (let number = 1; number <= pdf.numPages; number++) {
    const page = await pdf.getPage(number);
    const content = await page.getTextContent();
    pages.push(content.items.map((item) => item.str + (item.hasEOL ? "\n" : "")).join(""));
  }
  await pdf.destroy();
  return { text: pages.join("\f") };
}

const result = {};
for (const path of process.argv.slice(2)) result[path] = await read(path);
process.stdout.write(JSON.stringify(result));
