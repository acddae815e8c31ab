"""Insight: where the knowledge base fails customers, counted as it happens.

Daily counts (searches by outcome, rows reached, "did this fix it?" answers, causes
matched) are upserted when they happen (`kb.insight.counts`), fed by one signal of the
search decision (`kb.search.answer.search_answered`), one middleware for code pages (served
by the view or by the page cache) and the feedback model's post_save. Nothing else in `kb`
imports this package. `/admin/insight/` reads the counts (`kb.insight.views`).
"""
