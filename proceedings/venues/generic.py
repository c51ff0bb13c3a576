"""``generic``: no template checks; any layout, page size letter, 4 to 8 pages unless ``rules`` says otherwise."""

from proceedings.venues import Venue, register

VENUE = register(Venue(id="generic", name="any template", text_block=None, layout=None))
