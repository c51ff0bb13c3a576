"""The pages the tool draws with ReportLab: fonts, styles, front matter, author index."""
