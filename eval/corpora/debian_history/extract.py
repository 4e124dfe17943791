"""Extract the DEV corpus from Debian's debian-history package (not needed at test time).

Source: /usr/share/doc/debian-history/docs/project-history.en.txt.gz ("A Brief History of
Debian"). The text is split at its numbered section headings; sections (with their
subsections) become one document each, a section over MAX_WORDS is split at paragraph
boundaries into parts (later parts titled "<heading> (continued)"), and short sections are
merged with the following section(s) (the document then gets a bracketed title listing the
merged headings, and the later headings stay in the text as lines of their own). Paragraphs are re-flowed onto one line; nothing is
reworded. The document id is derived from the section number.
"""
import gzip
import pathlib
import re
import sys

SRC = pathlib.Path("/usr/share/doc/debian-history/docs/project-history.en.txt.gz")
OUT = pathlib.Path(__file__).parent / "articles"
MAX_WORDS, MIN_WORDS = 1100, 250
HEAD = re.compile(r"^(Chapter \d+\. |\d+(\.\d+)*\. |A(\.\d+)?\. |Appendix A\. )")


def sections(text):
    lines = text.replace("\u00a0", " ").split("\n")  # headings use no-break spaces
    start = next(i for i, l in enumerate(lines) if l.startswith("Chapter 1."))
    secs, cur = [], None
    for line in lines[start:]:
        if line and not line[0].isspace() and HEAD.match(line):
            cur = [line.strip(), []]
            secs.append(cur)
        elif cur is not None:
            cur[1].append(line)
    out = []
    for head, body in secs:
        paras, buf = [], []
        for line in body + [""]:
            if line.strip():
                buf.append(line.strip())
            elif buf:
                paras.append(" ".join(buf))
                buf = []
        out.append((head, paras))
    return out


def words(paras):
    return sum(len(p.split()) for p in paras)


def slug(head):
    m = re.match(r"(Chapter (\d+)|(\d+(?:\.\d+)*)|(A(?:\.\d+)?))\.? ", head)
    num = m.group(2) or m.group(3) or m.group(4)
    return "dh_" + num.lower().replace(".", "_")


def main():
    secs = sections(gzip.open(SRC, "rt", encoding="utf-8").read())
    docs = []  # (id, title, paras)
    pending = None
    for head, paras in secs:
        if not paras:
            continue
        if pending:  # merge a short section into the next one
            head0, paras0 = pending
            paras = paras0 + [head] + paras
            heads.append(head)
            head = head0
            pending = None
        else:
            heads = [head]
        if words(paras) < MIN_WORDS:
            pending = (head, paras)
            continue
        title = head if len(heads) == 1 else "[" + " / ".join(heads if len(heads) < 4 else [heads[0], "...", heads[-1]]) + "]"
        part, n, chunk = 1, 0, []
        for p in paras:
            if chunk and n + len(p.split()) > MAX_WORDS:
                docs.append((slug(head) + (f"_part{part}" if part > 1 else ""),
                             title if part == 1 else f"{title} (continued)", chunk))
                part, n, chunk = part + 1, 0, []
            chunk.append(p)
            n += len(p.split())
        docs.append((slug(head) + (f"_part{part}" if part > 1 else ""),
                     title if part == 1 else f"{title} (continued)", chunk))
    if pending:
        i, t, c = docs[-1]
        docs[-1] = (i, t, c + [pending[0]] + pending[1])
    OUT.mkdir(exist_ok=True)
    for doc_id, title, paras in docs:
        (OUT / f"{doc_id}.txt").write_text(title + "\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
        print(doc_id, words(paras), title, file=sys.stderr)


if __name__ == "__main__":
    main()
