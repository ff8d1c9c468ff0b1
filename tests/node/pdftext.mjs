// What pdf.js reads in each PDF named on the command line, as JSON on stdout:
//   {file: {text, tagged: [[role, text], ...]}}
// `text`: each page's text items in content order, a newline where pdf.js marks an end of line
// (hasEOL), a form feed between pages: what its viewer's text layer and "copy" give.
// `tagged`: each block-level structure element (P, H1, LBody, TD...), the text of its marked
// content joined as a reader that follows the tag tree joins it: nothing added
// between lines, so a space dropped at a line break glues two words together.
import { readFile } from "node:fs/promises";
import { getDocument, VerbosityLevel } from "pdfjs-dist/legacy/build/pdf.mjs";

function marked(items) {
  const texts = new Map();
  const open = [];
  for (const item of items) {
    if (item.type === "beginMarkedContentProps" || item.type === "beginMarkedContent") {
      open.push(item.id ?? null);
    } else if (item.type === "endMarkedContent") {
      open.pop();
    } else if (item.str !== undefined) {
      const id = open.findLast((x) => x !== null);
      if (id) texts.set(id, (texts.get(id) ?? "") + item.str);
    }
  }
  return texts;
}

const BLOCKS = new Set(["P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "LBody", "TD", "TH",
                         "Caption", "Note", "BlockQuote"]);

function elements(node, texts, out) {
  if (BLOCKS.has(node.role)) {
    out.push([node.role, joined(node, texts)]);
    return;
  }
  for (const child of node.children ?? []) elements(child, texts, out);
}

function joined(node, texts) {
  if (node.type === "content") return texts.get(node.id) ?? "";
  return (node.children ?? []).map((child) => joined(child, texts)).join("");
}

async function read(path) {
  const data = new Uint8Array(await readFile(path));
  const pdf = await getDocument({ data, verbosity: VerbosityLevel.ERRORS, isEvalSupported: false,
                                  useSystemFonts: false }).promise;
  const pages = [];
  const tagged = [];
  for (let number = 1; number <= pdf.numPages; number++) {
    const page = await pdf.getPage(number);
    const content = await page.getTextContent({ includeMarkedContent: true });
    pages.push(content.items.filter((item) => item.str !== undefined)
      .map((item) => item.str + (item.hasEOL ? "\n" : "")).join(""));
    const tree = await page.getStructTree();
    if (tree) elements(tree, marked(content.items), tagged);
  }
  await pdf.destroy();
  return { text: pages.join("\f"), tagged };
}

const result = {};
for (const path of process.argv.slice(2)) result[path] = await read(path);
process.stdout.write(JSON.stringify(result));
