"""Extract the TEST corpus from Debian's python3.11-doc package (not needed at test time).

Each /usr/share/doc/python3.11/html/whatsnew/X.Y.html page becomes articles/python_X_Y.txt:
the page title, then its prose blocks (headings, paragraphs, list items) in document order,
with code blocks, "See also" boxes and permalink marks dropped, trimmed at a block boundary
to at most MAX_WORDS words. No wording is changed.
"""
import html.parser
import pathlib
import re
import sys

SRC = pathlib.Path("/usr/share/doc/python3.11/html/whatsnew")
OUT = pathlib.Path(__file__).parent / "articles"
MAX_WORDS = 1100
BLOCK = {"p", "h1", "h2", "h3", "h4", "dt", "li"}


class Blocks(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks, self.cur, self.tag = [], [], None
        self.in_body = False
        self.skip = 0  # depth inside skipped containers
        self.stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "div" and "body" in cls.split() and a.get("role") == "main":
            self.in_body = True
        if not self.in_body:
            return
        skipping = tag == "pre" or (tag == "div" and ("highlight" in cls or "admonition" in cls)) \
            or (tag == "a" and "headerlink" in cls) or tag == "table"
        self.stack.append((tag, skipping))
        if skipping:
            self.skip += 1
        if tag in BLOCK and not self.skip:
            self.flush()
            self.tag = tag

    def handle_endtag(self, tag):
        if not self.in_body:
            return
        while self.stack:
            t, s = self.stack.pop()
            if s:
                self.skip -= 1
            if t == tag:
                break
        if tag in BLOCK and not self.skip:
            self.flush()
        if tag == "div" and not self.stack:
            self.in_body = False

    def handle_data(self, data):
        if self.in_body and not self.skip:
            self.cur.append(data)

    def flush(self):
        text = re.sub(r"\s+", " ", "".join(self.cur)).strip()
        if text and self.tag:
            self.blocks.append((self.tag, text))
        self.cur, self.tag = [], None


def main():
    OUT.mkdir(exist_ok=True)
    for page in sorted(SRC.glob("[23].*.html")):
        p = Blocks()
        p.feed(page.read_text(encoding="utf-8"))
        blocks = p.blocks
        title = blocks[0][1]
        out, words = [title], 0
        for tag, text in blocks[1:]:
            n = len(text.split())
            if words + n > MAX_WORDS:
                break
            out.append(text)
            words += n
        stem = "python_" + page.stem.replace(".", "_")
        (OUT / f"{stem}.txt").write_text("\n\n".join(out) + "\n", encoding="utf-8")
        print(stem, len(" ".join(out).split()), file=sys.stderr)


if __name__ == "__main__":
    main()
