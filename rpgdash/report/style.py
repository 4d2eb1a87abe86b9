"""The report's only stylesheet, inlined in ``<style>``: screen and A4 print layout.

No web fonts, no external resources. Colours keep at least 4.5:1 contrast with their
background (WCAG 2.2 AA).
"""

CSS = """
:root { --ink: #1a1a1a; --muted: #404040; --rule: #8a8a8a; --band: #f2f2f2;
        --pos: #0b5394; --neg: #8a3b00; --note: #fff4d6; }
* { box-sizing: border-box; }
html { font-size: 11pt; }
body { font-family: Arial, Helvetica, sans-serif; color: var(--ink); background: #fff;
       line-height: 1.45; margin: 0 auto; max-width: 190mm; padding: 12mm 10mm; }
h1 { font-size: 1.8rem; margin: 0 0 0.3rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--ink); padding-bottom: 0.15rem;
     margin: 1.6rem 0 0.6rem; }
h3 { font-size: 1.12rem; margin: 1.1rem 0 0.4rem; }
h4 { font-size: 1rem; margin: 0.9rem 0 0.3rem; }
p, li { max-width: 75ch; }
a { color: #0b5394; }
.meta { color: var(--muted); margin: 0.2rem 0; }
.banner { background: var(--note); border-left: 6px solid #8a6d00; padding: 0.5rem 0.8rem;
          margin: 0.8rem 0; }
.caveat { color: var(--muted); font-size: 0.92rem; }
nav ol { columns: 2; margin: 0.4rem 0; }
nav li a { display: inline-block; min-height: 24px; line-height: 24px; padding: 2px 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.86rem; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; caption-side: top; }
th, td { border: 1px solid var(--rule); padding: 0.25rem 0.4rem; text-align: left;
         vertical-align: top; }
thead th { background: var(--band); }
td.num, th.num { text-align: right; }
table.results { font-size: 0.74rem; }
table.results th[scope="row"] { width: 28%; }
figure.chart { margin: 0.6rem 0 1rem; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
blockquote.excerpt { margin: 0.4rem 0 0.4rem 0.6rem; padding: 0.2rem 0.8rem;
                     border-left: 4px solid var(--rule); }
blockquote.excerpt p { margin: 0.1rem 0; font-style: italic; }
blockquote.excerpt footer { color: var(--muted); font-size: 0.9rem; }
.theme { border: 1px solid var(--rule); padding: 0.2rem 0.8rem 0.5rem; margin: 0.6rem 0; }
.polarity-positive { color: var(--pos); font-weight: bold; }
.polarity-negative { color: var(--neg); font-weight: bold; }
.cmo { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.6rem; }
.cmo-column { border: 2px solid var(--ink); padding: 0.2rem 0.5rem 0.5rem; }
.cmo-column h3 { font-size: 1rem; margin-top: 0.3rem; }
.cmo-node { border: 1px solid var(--rule); background: var(--band); padding: 0.3rem 0.5rem;
            margin: 0.4rem 0; }
.cmo-node h4 { margin: 0 0 0.15rem; font-size: 0.95rem; }
.cmo-node p, .cmo-node li { font-size: 0.85rem; margin: 0.1rem 0; }
.cmo-node ul { padding-left: 1.1rem; margin: 0.2rem 0; }
.cmo-level { font-size: 0.8rem; color: var(--muted); text-transform: uppercase;
             letter-spacing: 0.03em; }
.cmo-sources { font-size: 0.78rem; color: var(--muted); }
footer.generated { border-top: 1px solid var(--rule); margin-top: 2rem; padding-top: 0.4rem;
                   color: var(--muted); font-size: 0.9rem; }

table.outcomes { margin: 0.3rem 0 0.6rem; }
table.outcomes caption { font-size: 1rem; }
table.outcomes th[scope="row"] { width: 27%; }
table.outcomes td.status { width: 19%; white-space: nowrap; }
.status-icon { vertical-align: -3px; }
.running-footer { color: var(--muted); margin: 0.2rem 0; font-size: 0.9rem; }
h2.appendix-title { font-size: 1.6rem; }

/* A4 pages (WeasyPrint implements the margin boxes, leaders and target counters; a browser
   printing the HTML ignores them and keeps the rest). */
@page { size: A4; margin: 15mm 15mm 18mm 15mm;
  @bottom-left { content: string(footer); width: 150mm; font-size: 8pt; color: #404040;
                 font-family: Arial, Helvetica, "Liberation Sans", sans-serif; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); width: 30mm;
                  text-align: right; font-size: 8pt;
                  color: #404040; font-family: Arial, Helvetica, "Liberation Sans", sans-serif; }
}
dl.glossary dt { font-weight: 600; margin-top: 0.6em; break-after: avoid;
  page-break-after: avoid; }
dl.glossary dd { margin: 0.15em 0 0 1.2em; }
@media print {
  html { font-size: 9.5pt; }
  body { max-width: none; padding: 0; font-family: Arial, Helvetica, "Liberation Sans",
         sans-serif; }
  a { color: var(--ink); text-decoration: none; }
  .running-footer { string-set: footer content(); }
  nav a.toc::after { content: leader(". ") target-counter(attr(href), page); }
  nav ol { columns: 1; }
  nav li a { display: inline; min-height: 0; line-height: 1.3; padding: 0; }
  nav ol ol { columns: 2; column-gap: 8mm; }
  h1 { font-size: 1.6rem; }
  #summary h2 { margin-top: 0.8rem; }
  #summary table { font-size: 0.8rem; margin: 0.2rem 0 0.5rem; }
  #summary td, #summary th { padding: 0.12rem 0.3rem; }
  #summary .mdc-icon svg { width: 18px; height: 18px; vertical-align: -4px; }
  #summary p, #summary li { margin: 0.15rem 0; }
  #summary h3 { margin: 0.6rem 0 0.2rem; }
  header .banner { padding: 0.3rem 0.6rem; margin: 0.4rem 0; font-size: 0.9rem; }
  .appendix { break-before: page; page-break-before: always; }
  .appendix > section { break-before: page; page-break-before: always; }
  .appendix > section:first-of-type { break-before: auto; page-break-before: auto; }
  figure.chart svg { width: 100%; max-width: 100%; height: auto; }
  h2, h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  figure.chart, table, blockquote.excerpt, .cmo-node, .theme > p { break-inside: avoid;
    page-break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .cmo { grid-template-columns: repeat(3, 1fr); }
}
"""
