"""``rights-block``: the publisher's rights block on page 1 (ACM: the permission / copyright block and the
ACM Reference Format), with the venue's values rather than the template's."""

import re

from proceedings.checks.layout import in_template
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.checks.textcheck import required_text
from proceedings.findings import Finding


@check("rights-block", "Rights block", "1")
def run(paper: Paper):
    venue = paper.venue
    expected = venue.rights_block
    if expected is None or not in_template(paper):
        return []
    text = paper.folded.get(1, "")
    missing = [label for label, pattern in expected.required if not re.search(pattern, text)]
    if missing:
        return [Finding(
            "rights-block", "error", 1,
            f"Page 1 lacks {' and '.join(missing)} (the 'nonacm' option, or a template with the rights block "
            "removed).", expected.fix)]
    template = [label for label, pattern in venue.placeholder_patterns()
                if required_text(pattern) in text and pattern.search(text)]  # ``in``: at memory speed, most miss
    if template:
        return [Finding(
            "rights-block", "error", 1,
            f"The rights block on page 1 still carries the template's values ({', '.join(template)}), not the "
            "venue's.", expected.fix)]
    return []
