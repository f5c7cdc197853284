"""CSR hearing dossiers (听证材料, issue #12): one enterprise's result, ranks, peers, trend, records, alerts,
risk and improvement plan, built once (``content``) and written as a standalone web page (``html``) or a
PDF typeset by Typst (``pdf``)."""
