"""Everything written from the built volume: metadata, citations, reports, HTML index, bundle."""
