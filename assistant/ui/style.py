"""The UI's stylesheet, kept in Python so it ships with the package without package-data."""

CSS = """
.gradio-container { max-width: 1440px !important; margin: 0 auto !important; }
.fc-header h1 { font-size: 1.5rem !important; font-weight: 700 !important; margin: 0.3rem 0 0.2rem !important; }
.fc-header p { margin: 0; color: var(--body-text-color-subdued); font-size: 0.95rem; }

/* chat messages */
.fc-q { white-space: pre-wrap; }
.fc-msg { line-height: 1.55; }
.fc-answer { margin: 0 0 0.4rem; }
.fc-cite { color: var(--color-accent); font-weight: 600; font-size: 0.72em; margin-left: 1px; }
.fc-sources-h { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.06em;
  color: var(--body-text-color-subdued); margin: 0.7rem 0 0.25rem; font-weight: 600; }
ol.fc-sources { list-style: none; padding: 0 !important; margin: 0 !important; }
li.fc-src { margin: 0 0 0.5rem !important; padding: 0 !important; font-size: 0.9rem; }
.fc-src-n { color: var(--color-accent); font-weight: 700; margin-right: 0.15rem; }
.fc-src-title { font-weight: 600; }
.fc-untitled { font-style: italic; font-weight: 500; }
.fc-article h1, .fc-article h2 { font-size: 1.1rem !important; margin: 0.6rem 0 0.3rem !important; }
.fc-src-meta { color: var(--body-text-color-subdued); font-size: 0.82rem; }
blockquote.fc-quote { margin: 0.2rem 0 0 0 !important; padding: 0.15rem 0 0.15rem 0.7rem !important;
  border-left: 3px solid var(--color-accent) !important; font-style: italic;
  color: var(--body-text-color); font-size: 0.88rem; }
.fc-footer, .fc-where { color: var(--body-text-color-subdued); font-size: 0.76rem; margin-top: 0.45rem; }
.fc-note { font-size: 0.86rem; color: var(--body-text-color-subdued); margin: 0.4rem 0 0; }
.fc-status { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-top: 0.4rem; }
.fc-badge { display: inline-block; font-size: 0.72rem; font-weight: 700; letter-spacing: 0.05em;
  text-transform: uppercase; border-radius: 999px; padding: 0.12rem 0.6rem; margin-bottom: 0.45rem; }
.fc-badge-refused { background: #fef3c7; color: #92400e; border: 1px solid #fcd34d; }
.fc-badge-partial { background: #e0f2fe; color: #075985; border: 1px solid #7dd3fc; }
.fc-badge-error { background: #fee2e2; color: #991b1b; border: 1px solid #fca5a5; }
.fc-refused { border-left: 4px solid #f59e0b; padding-left: 0.7rem; }
.fc-error { border-left: 4px solid #dc2626; padding-left: 0.7rem; }
.fc-pending { color: var(--body-text-color-subdued); }
.fc-dot { display: inline-block; width: 6px; height: 6px; margin-right: 3px; border-radius: 50%;
  background: var(--color-accent); animation: fc-blink 1.2s infinite ease-in-out; }
.fc-dot:nth-child(2) { animation-delay: 0.2s; } .fc-dot:nth-child(3) { animation-delay: 0.4s; }
@keyframes fc-blink { 0%, 80%, 100% { opacity: 0.2; } 40% { opacity: 1; } }

/* conflicts, side by side */
.fc-conflict { border: 1px solid #fdba74; background: rgba(255, 237, 213, 0.55); border-radius: 10px;
  padding: 0.55rem 0.7rem; margin: 0.6rem 0; }
.dark .fc-conflict { background: rgba(124, 45, 18, 0.25); }
.fc-conflict-title { font-weight: 700; font-size: 0.85rem; color: #c2410c; margin-bottom: 0.4rem; }
.fc-sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 0.5rem; }
.fc-side { background: var(--background-fill-primary); border: 1px solid var(--border-color-primary);
  border-radius: 8px; padding: 0.45rem 0.55rem; }
.fc-side-value { font-weight: 700; font-size: 0.95rem; margin-bottom: 0.2rem; }
ul.fc-side-sources { list-style: none; padding: 0 !important; margin: 0 !important; font-size: 0.8rem; }
ul.fc-side-sources li { margin: 0 !important; }

/* evidence panel */
#fc-evidence { background: var(--background-fill-secondary); border-radius: 12px; }
.fc-panel-h { font-size: 1.05rem; font-weight: 700; margin: 0 0 0.1rem; }
.fc-panel-q { color: var(--body-text-color-subdued); margin: 0 0 0.7rem; font-size: 0.9rem; }
.fc-card { background: var(--background-fill-primary); border: 1px solid var(--border-color-primary);
  border-radius: 10px; padding: 0.65rem 0.8rem; margin-bottom: 0.7rem; }
.fc-card-h { font-size: 0.92rem; margin-bottom: 0.1rem; }
.fc-context { font-size: 0.88rem; line-height: 1.6; margin-top: 0.4rem; }
mark.fc-mark { background: #fde68a; color: #1f2937; padding: 0.05rem 0.1rem; border-radius: 3px; }
.fc-evidence-empty p { color: var(--body-text-color-subdued); font-size: 0.92rem; }
.fc-searched-h { font-size: 0.85rem; margin: 0.6rem 0 0.2rem; }

/* corpus tab */
table.fc-corpus { width: 100%; border-collapse: collapse; font-size: 0.9rem; border: none !important; }
table.fc-corpus tr { border: none !important; }
table.fc-corpus th, table.fc-corpus td { border-left: none !important; border-right: none !important;
  border-top: none !important; background: transparent !important; }
table.fc-corpus th:first-child { width: 46%; }
table.fc-corpus th { text-align: left; font-size: 0.78rem; text-transform: uppercase;
  letter-spacing: 0.04em; color: var(--body-text-color-subdued); padding: 0.4rem 0.5rem;
  border-bottom: 2px solid var(--border-color-primary); }
table.fc-corpus td { padding: 0.45rem 0.5rem; border-bottom: 1px solid var(--border-color-primary);
  vertical-align: top; }
td.fc-num { text-align: right; }
td.fc-col-title { font-weight: 600; }
.fc-corpus-sum { color: var(--body-text-color-subdued); margin: 0.2rem 0 0.5rem; }
.fc-article p { margin: 0 0 0.6rem; line-height: 1.6; }
.fc-notice { border-radius: 8px; padding: 0.5rem 0.7rem; font-size: 0.9rem; margin-top: 0.4rem; }
.fc-ok { background: #dcfce7; color: #14532d; border: 1px solid #86efac; }
.fc-bad { background: #fee2e2; color: #7f1d1d; border: 1px solid #fca5a5; }
"""
