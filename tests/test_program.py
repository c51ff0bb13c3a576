"""The programme, keynotes, sponsors and logo: in the front matter, index.html and program.ics; bad files exit 2."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from proceedings.errors import ProjectFileError
from proceedings.project.loading import load_project
from tests.conftest import EPOCH, build_project, copy_project, copy_repo_build
from tests.test_project_files import run_cli

SYDNEY_OFFSET = dt.timedelta(hours=10)  # AEST: daylight saving time ended on 6 April 2025


def _logo(path: Path, size: tuple[int, int], color: str) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((4, 4, size[0] - 5, size[1] - 5), outline=color, width=6, fill=color)
    image.save(path, format="PNG")


def program_data() -> list[dict]:
    """Two days: an opening keynote, a break, papers with times, a panel, and an invited talk."""
    return [
        {"date": "2025-04-28", "sessions": [
            {"title": "Opening", "start": "09:00", "end": "10:00", "room": "Room C2.4", "chair": "Junchen Fu",
             "items": [{"title": "Seeing Less, Finding More", "kind": "keynote", "speaker": "Grace Hopper",
                        "affiliation": "Example Institute", "start": "09:10", "end": "10:00",
                        "abstract": "Why pruning tokens pays.\n\nA second paragraph.",
                        "bio": "Grace works on *efficient* retrieval."}]},
            {"title": "Coffee Break", "start": "10:00", "end": "10:30"},
            {"title": "Session One: Representations", "start": "10:30", "end": "12:00", "room": "Room C2.4",
             "chair": "Xin Xin", "items": [
                 {"paper": 1, "start": "10:30", "end": "10:50"}, {"paper": "2", "start": "10:50", "end": "11:10"},
                 {"paper": "3"}, {"paper": "4"}]},
        ]},
        {"date": "2025-04-29", "sessions": [
            {"title": "Session Two: Retrieval", "start": "14:00", "end": "15:30", "chair": "Yue Feng",
             "items": [{"paper": "5", "start": "14:00", "end": "14:20"}, {"paper": "6"}, {"paper": "7"},
                       {"title": "Efficiency at Scale", "kind": "invited", "speaker": "Alan Turing",
                        "affiliation": "Example Lab", "start": "15:00", "end": "15:30",
                        "abstract": "Invited abstract.", "bio": "Alan's bio."}]},
            {"title": "Session Three: Benchmarks", "start": "16:00", "end": "17:00",
             "items": [{"paper": "8"}, {"paper": "9"}, {"paper": "10"},
                       {"title": "What to Measure", "kind": "panel"}]},
        ]},
    ]


SPONSORS = [
    {"name": "Gold Corp", "level": "Gold", "logo": "sponsors/gold.png", "url": "https://example.org/gold"},
    {"name": "Silver One", "level": "Silver", "logo": "sponsors/s1.png"},
    {"name": "Silver Two", "level": "Silver", "logo": "sponsors/s2.png"},
    {"name": "Friend Without Logo", "level": "Friends"},
]


def make_program_project(dest: Path, repo_build=None) -> Path:
    """The repository's project with a two-day programme and sponsors; with ``repo_build``, also a copy of that
    build of the repository's project in ``dest/build`` (which the programme makes stale), for a quicker build."""
    project = copy_repo_build(repo_build, dest)[0] if repo_build is not None else copy_project(dest)
    fm = project / "front_matter"
    (fm / "sponsors").mkdir()
    _logo(fm / "sponsors/gold.png", (400, 160), "#c9a227")
    _logo(fm / "sponsors/s1.png", (300, 300), "#8a8a8a")
    _logo(fm / "sponsors/s2.png", (500, 100), "#5a5a9a")
    (fm / "program.yaml").write_text(yaml.safe_dump(program_data(), sort_keys=False), encoding="utf-8")
    (fm / "sponsors.yaml").write_text(yaml.safe_dump(SPONSORS, sort_keys=False), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, repo_build):
    """The repository's project with a two-day programme, a keynote, an invited talk and sponsors, built once."""
    project = make_program_project(tmp_path_factory.mktemp("program") / "proj", repo_build)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return project, build_project(project)


def _front_text(reader, first: int, last: int) -> str:
    return "\n".join(reader.pages[i].extract_text() for i in range(first, last))


@pytest.fixture(scope="module")
def volume(built):
    from pypdf import PdfReader

    project, _ = built
    reader = PdfReader(project / "build" / "proceedings.pdf")
    outline = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline[item.title] = reader.get_destination_page_number(item)

    walk(reader.outline)
    return reader, outline


def _page_range(outline: dict[str, int], title: str, front_pages: int) -> tuple[int, int]:
    start = outline[title]
    later = sorted(v for v in outline.values() if v > start)
    return start, min([*later, front_pages])


def test_programme_prints_days_sessions_times_and_pages(built, volume):
    _, result = built
    reader, outline = volume
    first, stop = _page_range(outline, "Program", result.volume.front_pages)
    text = _front_text(reader, first, stop)
    flat = re.sub(r"\s+", " ", text)
    for needle in ("Monday, April 28, 2025", "Tuesday, April 29, 2025", "09:00–10:00", "10:00–10:30", "Coffee Break",
                   "Session One: Representations", "Room C2.4 · Chair: Xin Xin", "Chair: Yue Feng", "10:30–10:50",
                   "Keynote: Seeing Less, Finding More", "Grace Hopper, Example Institute",
                   "Invited Talk: Efficiency at Scale", "Panel: What to Measure",
                   "All times are local (Australia/Sydney)"):
        assert needle in flat, needle
    assert flat.index("Monday, April 28") < flat.index("Session One") < flat.index("Tuesday, April 29") \
        < flat.index("Session Three")
    # each paper: its title, dot leaders and the page it starts on in this volume, in programme order
    positions = []
    for paper in result.metadata["papers"]:
        tail = re.escape(paper["title"].split()[-1])
        match = re.search(tail + r"[\s.]*\.{3,}\s*" + str(paper["first_page"]) + r"\b", flat)
        assert match, f"programme line of paper {paper['id']}"
        positions.append(match.start())
        assert paper["authors"][0] in flat
    assert positions == sorted(positions)


def test_programme_lines_link_to_each_papers_first_page(built, volume):
    _, result = built
    reader, outline = volume
    first, stop = _page_range(outline, "Program", result.volume.front_pages)
    labels = reader.page_labels
    landed = []
    for i in range(first, stop):
        for annot in reader.pages[i].get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                landed.append(reader.get_page_number(annot["/Dest"][0].get_object()))
    paper_targets = [t for t in landed if t >= result.volume.front_pages]
    assert [labels[t] for t in paper_targets] == [str(p["first_page"]) for p in result.metadata["papers"]]
    for target, paper in zip(paper_targets, result.metadata["papers"]):
        words = paper["title"].split()[:3]
        assert " ".join(words) in re.sub(r"\s+", " ", reader.pages[target].extract_text()), paper["id"]
    # the keynote and the invited talk link to their own pages
    talk_targets = [t for t in landed if t < result.volume.front_pages]
    assert talk_targets == [outline["Keynote: Seeing Less, Finding More"], outline["Invited Talk: Efficiency at Scale"]]


def test_keynote_pages(built, volume):
    reader, outline = volume
    keynote = re.sub(r"\s+", " ", reader.pages[outline["Keynote: Seeing Less, Finding More"]].extract_text())
    for needle in ("Keynote", "Seeing Less, Finding More", "Grace Hopper", "Example Institute",
                   "Monday, April 28, 2025, 09:10–10:00, Room C2.4", "Abstract", "Why pruning tokens pays.",
                   "A second paragraph.", "Biography", "Grace works on efficient retrieval."):
        assert needle in keynote, needle
    invited = re.sub(r"\s+", " ", reader.pages[outline["Invited Talk: Efficiency at Scale"]].extract_text())
    assert "Invited Talk" in invited and "Alan Turing" in invited and "Alan's bio." in invited.replace("’", "'")


def _images(page) -> list:
    resources = page.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    out = []
    for obj in xobjects.values():
        obj = obj.get_object()
        if obj.get("/Subtype") == "/Image":
            out.append(obj)
        elif obj.get("/Subtype") == "/Form":
            out += _images(obj)
    return out


def test_sponsor_logos_embedded_by_level_and_logo_on_title_page(built, volume):
    reader, outline = volume
    page = reader.pages[outline["Sponsors"]]
    images = _images(page)
    assert sorted((int(i["/Width"]), int(i["/Height"])) for i in images) == [(300, 300), (400, 160), (500, 100)]
    text = re.sub(r"\s+", " ", page.extract_text())
    assert text.index("Gold") < text.index("Gold Corp") < text.index("Silver") < text.index("Silver One") \
        < text.index("Friends") < text.index("Friend Without Logo")
    uris = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots") or [] if "/A" in a.get_object()]
    assert "https://example.org/gold" in uris
    logo = _images(reader.pages[0])
    assert [(int(i["/Width"]), int(i["/Height"])) for i in logo] == [(600, 240)]  # the sample logo


def test_contents_lists_the_new_sections_with_links(built, volume):
    reader, outline = volume
    labels = reader.page_labels
    contents = outline["Table of Contents"]
    text = re.sub(r"\s+", " ", reader.pages[contents].extract_text())
    for title in ("Program", "Keynote: Seeing Less, Finding More", "Invited Talk: Efficiency at Scale", "Sponsors"):
        number = labels[outline[title]]
        assert re.search(re.escape(title) + r"[\s.]*\.{3,}\s*" + number + r"\b", text), title
    targets = {reader.get_page_number(a.get_object()["/Dest"][0].get_object())
               for a in reader.pages[contents].get("/Annots") or [] if "/Dest" in a.get_object()}
    assert {outline[t] for t in ("Program", "Sponsors", "Keynote: Seeing Less, Finding More")} <= targets


def test_program_ics_parsed_by_icalendar_in_utc(built):
    icalendar = pytest.importorskip("icalendar", reason="the test extra installs icalendar")
    project, result = built
    data = (project / "build" / "program.ics").read_bytes()
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(data)
    events = [e for e in calendar.walk("VEVENT")]
    sessions = [s for d in program_data() for s in d["sessions"]]
    timed = [i for s in sessions for i in s.get("items", []) if i.get("start")]
    assert len(events) == len(sessions) + len(timed)
    assert len({str(e["UID"]) for e in events}) == len(events)
    by_summary = {str(e["SUMMARY"]): e for e in events}
    utc = dt.UTC
    opening = by_summary["EReL@MIR '25: Opening"]
    assert opening.decoded("DTSTART") == dt.datetime(2025, 4, 28, 9, 0, tzinfo=utc) - SYDNEY_OFFSET
    assert opening.decoded("DTEND") == dt.datetime(2025, 4, 28, 10, 0, tzinfo=utc) - SYDNEY_OFFSET
    assert opening.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert "Room C2.4" in str(opening["LOCATION"]) and "Chair: Junchen Fu" in str(opening["DESCRIPTION"])
    keynote = by_summary["Keynote: Seeing Less, Finding More"]
    assert keynote.decoded("DTSTART") == dt.datetime(2025, 4, 27, 23, 10, tzinfo=utc)
    first = result.metadata["papers"][0]
    paper = by_summary[first["title"]]
    assert paper.decoded("DTSTART") == dt.datetime(2025, 4, 28, 0, 30, tzinfo=utc)
    assert f"Pages {first['first_page']}–{first['last_page']}" in str(paper["DESCRIPTION"])
    assert all(e.decoded("DTSTAMP") == dt.datetime(2025, 4, 28, tzinfo=utc) for e in events)


def test_index_html_in_chromium_shows_the_programme(built, tmp_path: Path):
    from PIL import Image

    from tests.test_htmlindex import _chromium, _run_chromium

    binary = _chromium()
    project, result = built
    out = project / "build"
    url = (out / "index.html").resolve().as_uri()
    shot = tmp_path / "index.png"
    dom = _run_chromium(binary, tmp_path / "profile", "--dump-dom", f"--screenshot={shot}", "--window-size=1000,3000",
                        url).stdout.decode("utf-8")
    import html5lib

    tree = html5lib.parse(dom, namespaceHTMLElements=False)
    text = re.sub(r"\s+", " ", "".join(tree.find(".//body").itertext()))
    for needle in ("Program", "Monday, April 28, 2025", "Session One: Representations", "10:30–10:50",
                   "Keynote: Seeing Less, Finding More", "Why pruning tokens pays.", "Gold Corp", "Silver Two",
                   "All times are local (Australia/Sydney)"):
        assert needle in text, needle
    rows = tree.findall(".//table[@class='program']//tr")
    first = result.metadata["papers"][0]
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert f"papers/{first['id']}.pdf" in hrefs and f"citations/{first['id']}.bib" in hrefs and "program.ics" in hrefs
    assert any(first["title"] in "".join(r.itertext()) and f"pp. {first['first_page']}–" in "".join(r.itertext())
               for r in rows)
    images = [img.get("src") for img in tree.iter("img")]
    assert "logo.png" in images and sum(1 for s in images if s.startswith("sponsors/")) == 3
    for src in images:  # every image is a file beside index.html
        assert (out / src).is_file(), src
    with Image.open(shot) as image:
        assert image.convert("L").getextrema()[0] < 100  # not blank


def test_bundle_carries_calendar_and_logos(built):
    import zipfile

    from proceedings import api

    project, _ = built
    result = api.bundle(project)
    names = zipfile.ZipFile(result.path).namelist()
    assert "program.ics" in names and "logo.png" in names
    assert sum(1 for n in names if n.startswith("sponsors/")) == 3


# --------------------------------------------------------------------------- bad programme files


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_program_project(tmp_path / "proj")


def _problems(project: Path) -> list[str]:
    with pytest.raises(ProjectFileError) as info:
        load_project(project)
    return info.value.problems


def _edit(project: Path, change) -> None:
    data = program_data()
    change(data)
    (project / "front_matter/program.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _set(path: str, value):
    def change(data):
        target = data
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[int(key) if key.isdigit() else key]
        target[int(keys[-1]) if keys[-1].isdigit() else keys[-1]] = value
    return change


BAD = [
    ("unknown paper", _set("0.sessions.2.items.2.paper", "99"),
     "front_matter/program.yaml: [0].sessions[2].items[2].paper: unknown paper id '99'"),
    ("overlapping sessions", _set("0.sessions.1.start", "09:30"),
     "front_matter/program.yaml: [0].sessions[1].start: 'Coffee Break' (09:30–10:30) overlaps [0].sessions[0]"),
    ("unordered items", _set("1.sessions.0.items.3.start", "13:00"),
     "front_matter/program.yaml: [1].sessions[0].items[3].start: 13:00–15:30 lies outside"),
    ("end before start", _set("1.sessions.1.end", "15:00"),
     "front_matter/program.yaml: [1].sessions[1].end: 15:00 is not after its start 16:00"),
    ("day outside the dates", _set("1.date", "2025-05-02"),
     "front_matter/program.yaml: [1].date: 2025-05-02 is outside the workshop's dates (2025-04-28 to 2025-04-29"),
    ("not a time", _set("0.sessions.0.end", "25:99"), "front_matter/program.yaml: [0].sessions[0].end: not a time"),
    ("paper twice", _set("1.sessions.1.items.0.paper", "1"),
     "front_matter/program.yaml: [1].sessions[1].items[0].paper: paper '1' is already in [0].sessions[2].items[0]"),
    ("item with nothing", _set("1.sessions.1.items.3", {"kind": "panel"}),
     "front_matter/program.yaml: [1].sessions[1].items[3]: an item needs a paper id (paper: ID) or a title"),
    ("unknown kind", _set("0.sessions.0.items.0.kind", "lecture"),
     "front_matter/program.yaml: [0].sessions[0].items[0].kind: Input should be"),
]


@pytest.mark.parametrize("case, change, message", BAD, ids=[c[0] for c in BAD])
def test_bad_programme_is_named(project: Path, case: str, change, message: str):
    _edit(project, change)
    found = _problems(project)
    assert any(p.startswith(message) for p in found), found


def _parallel(data: list[dict], *rooms: str | None) -> None:
    """Day one's papers split over two tracks at 10:30–12:00, in ``rooms`` (None: no room)."""
    sessions = data[0]["sessions"]
    one = sessions[2]
    one["room"], one["items"] = rooms[0], one["items"][:2]
    two = {"title": "Session One B: Parallel", "start": "10:30", "end": "12:00", "items": [
        {"paper": "3", "start": "10:30", "end": "10:50"}, {"paper": "4", "start": "10:50", "end": "11:10"}]}
    sessions.append({**two, "room": rooms[1]} if rooms[1] is not None else two)
    if rooms[0] is None:
        del one["room"]


def test_a_talk_titled_with_its_kind_is_not_labelled_twice(project: Path):
    """A keynote titled "Keynote: Seeing Less" printed "Keynote: Keynote: Seeing Less" in the programme, the
    contents, the bookmarks, index.html and program.ics."""
    from proceedings.typeset.program import talk_title

    _edit(project, _set("0.sessions.0.items.0.title", "KEYNOTE: Seeing Less, Finding More"))
    talks_ = [it for d in load_project(project).program for s in d.sessions for it in s.items
              if it.kind_ in ("keynote", "invited")]
    assert [talk_title(it) for it in talks_] == ["KEYNOTE: Seeing Less, Finding More",
                                                 "Invited Talk: Efficiency at Scale"]
    assert [it.label for it in talks_] == ["", "Invited Talk"]
    # the kind written as a word of its own only: "Keynotes we never gave" is still labelled
    _edit(project, _set("0.sessions.0.items.0.title", "Keynotes we never gave"))
    first = next(it for d in load_project(project).program for s in d.sessions for it in s.items
                 if it.kind_ == "keynote")
    assert (first.label, talk_title(first)) == ("Keynote", "Keynote: Keynotes we never gave")


def test_a_talk_page_prints_its_kind_above_the_title_only_when_the_title_lacks_it(project: Path):
    from proceedings.typeset.program import talk_page
    from proceedings.typeset.styles import Styles

    def printed(title: str) -> list[str]:
        _edit(project, _set("0.sessions.0.items.0.title", title))
        day = load_project(project).program[0]
        session, item = next((s, it) for s in day.sessions for it in s.items if it.kind_ == "keynote")
        return [f.text for f in talk_page(day, session, item, Styles())[:2]]

    assert printed("Keynote: Seeing Less") == ["Keynote: Seeing Less", "<b>Grace Hopper</b>"]
    assert printed("Seeing Less") == ["Keynote", "Seeing Less"]


def test_parallel_sessions_in_different_rooms_share_their_time(project: Path):
    _edit(project, lambda data: _parallel(data, "Room C2.4", "Room D1"))
    day = load_project(project).program[0]
    assert [(s.title, s.room) for s in day.sessions[2:]] == [
        ("Session One: Representations", "Room C2.4"), ("Session One B: Parallel", "Room D1")]


WHOLE_VENUE = "; an entry without a room takes the whole venue (give each a room to run them in parallel)"
PARALLEL_BAD = [
    ("same room", ("Room C2.4", "room  c2.4"), " in the same room ('Room C2.4')"),
    ("second without a room", ("Room C2.4", None), WHOLE_VENUE),
    ("first without a room", (None, "Room D1"), WHOLE_VENUE),
]


@pytest.mark.parametrize("case, rooms, why", PARALLEL_BAD, ids=[c[0] for c in PARALLEL_BAD])
def test_parallel_sessions_overlap_in_one_room_or_with_the_whole_venue(project: Path, case: str, rooms, why):
    _edit(project, lambda data: _parallel(data, *rooms))
    assert [p for p in _problems(project) if "overlaps" in p] == [
        "front_matter/program.yaml: [0].sessions[3].start: 'Session One B: Parallel' (10:30–12:00) overlaps "
        "[0].sessions[2] 'Session One: Representations' (10:30–12:00)" + why]


def test_overlap_with_an_earlier_session_than_the_last_is_found(project: Path):
    """Tracks of different lengths: a session clashes with the one two entries back in its room, and a plenary
    (no room) with any track still running."""
    def change(data):
        papers = data[0]["sessions"][2]["items"]
        data[0]["sessions"] = [
            {"title": "A1", "start": "09:00", "end": "10:00", "room": "Room 1", "items": papers},
            {"title": "B1", "start": "09:00", "end": "11:00", "room": "Room 2"},
            {"title": "A2", "start": "10:00", "end": "11:00", "room": "Room 1"},
            {"title": "B2", "start": "10:30", "end": "11:30", "room": "Room 2"},
            {"title": "Plenary", "start": "11:15", "end": "12:00"}]
        for item in papers:
            item.pop("start", None), item.pop("end", None)
    _edit(project, change)
    assert [p for p in _problems(project) if "overlaps" in p] == [
        "front_matter/program.yaml: [0].sessions[3].start: 'B2' (10:30–11:30) overlaps [0].sessions[1] 'B1' "
        "(09:00–11:00) in the same room ('Room 2')",
        "front_matter/program.yaml: [0].sessions[4].start: 'Plenary' (11:15–12:00) overlaps [0].sessions[3] 'B2' "
        "(10:30–11:30)" + WHOLE_VENUE]


def test_calendar_tells_apart_one_title_at_one_time_in_parallel_rooms(project: Path):
    icalendar = pytest.importorskip("icalendar", reason="the test extra installs icalendar")
    from proceedings.export.program import program_metadata, render_ics
    from proceedings.stages.plan import Plan

    def change(data):
        _parallel(data, "Room C2.4", "Room D1")
        for session in data[0]["sessions"][2:]:
            session["items"].append({"title": "Discussion", "kind": "other", "start": "11:30", "end": "12:00"})
    _edit(project, change)
    metadata = {"volume": {"acronym": "X", "title": "T"}, "papers": [],
                **program_metadata(load_project(project), Plan([]))}
    events = icalendar.Calendar.from_ical(render_ics(metadata)).walk("VEVENT")
    talks = [e for e in events if str(e["SUMMARY"]) == "Discussion"]
    assert sorted(str(e["LOCATION"]) for e in talks) == ["Room C2.4", "Room D1"]
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_bad_logos_and_timezone_reported_together_exit_2(project: Path):
    fm = project / "front_matter"
    (fm / "sponsors/s1.png").write_text("not a picture", encoding="utf-8")
    (fm / "sponsors/gold.png").unlink()
    workshop = (fm / "workshop.yaml").read_text(encoding="utf-8")
    workshop = workshop.replace("timezone: Australia/Sydney", "timezone: Australia/Atlantis")
    (fm / "workshop.yaml").write_text(workshop.replace("logo: logo-sample.png", "logo: nowhere.png"), encoding="utf-8")
    _edit(project, _set("0.sessions.2.items.0.paper", "77"))
    result = run_cli("validate", "--project", str(project))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    err = result.stderr
    assert "front_matter/sponsors.yaml: [1].logo: 'sponsors/s1.png' is not an image that can be printed" in err
    assert "front_matter/sponsors.yaml: [0].logo: 'sponsors/gold.png': file not found in front_matter/" in err
    assert "front_matter/workshop.yaml: timezone: unknown time zone 'Australia/Atlantis'" in err
    assert "front_matter/program.yaml: [0].sessions[2].items[0].paper: unknown paper id '77'" in err
    (fm / "workshop.yaml").write_text(workshop.replace("timezone: Australia/Atlantis", "timezone: Australia/Sydney")
                                      .replace("logo: logo-sample.png", "logo: nowhere.png"), encoding="utf-8")
    assert "front_matter/workshop.yaml: logo: 'nowhere.png': file not found in front_matter/" in _problems(project)


def test_unquoted_yaml_times_read_as_times(project: Path):
    """YAML 1.1 reads 10:30 unquoted as the base-60 number 630; the programme takes it back as 10:30."""
    path = project / "front_matter/program.yaml"
    path.write_text(re.sub(r"'(\d\d:\d\d)'", r"\1", path.read_text(encoding="utf-8")), encoding="utf-8")
    assert "start: 10:30" in path.read_text(encoding="utf-8")
    loaded = load_project(project)
    assert loaded.program[0].sessions[2].start == dt.time(10, 30)
    assert loaded.program[1].sessions[0].items[0].start == dt.time(14, 0)


@pytest.mark.parametrize("written", ["9:5", "09:005", "10:0030", "\u0660\u0669:\u0663\u0660", "+9:00"])
def test_a_time_not_written_hh_mm_is_refused_not_guessed(project: Path, written: str):
    """"9:5" (9:50 or 9:05?), "09:005", digits of another script: refused at their entry, never read as a time."""
    _edit(project, _set("0.sessions.0.items.0.start", written))
    found = _problems(project)
    assert any(p.startswith("front_matter/program.yaml: [0].sessions[0].items[0].start: not a time of day")
               for p in found), found


def test_a_time_with_a_one_digit_hour_is_read(project: Path):
    _edit(project, _set("0.sessions.0.items.0.start", "9:00"))
    assert load_project(project).program[0].sessions[0].items[0].start == dt.time(9, 0)


def test_an_unquoted_paper_id_is_read_as_papers_yaml_reads_it(project: Path):
    """``paper: 017`` names the paper ``id: 017`` (both "017"), not a paper 15 (YAML 1.1's octal)."""
    papers = project / "camera_ready/papers.yaml"
    papers.write_text(papers.read_text(encoding="utf-8").replace('- id: "1"\n', "- id: 017\n", 1), encoding="utf-8")
    path = project / "front_matter/program.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("paper: 1\n", "paper: 017\n", 1), encoding="utf-8")
    assert "paper: 017\n" in path.read_text(encoding="utf-8")
    assert load_project(project).program[0].sessions[2].items[0].paper == "017"


def test_paper_missing_from_the_programme_is_a_warning(project: Path):
    _edit(project, lambda data: data[1]["sessions"][1]["items"].pop(1))  # paper 9
    loaded = load_project(project)
    assert [n for n in loaded.notices if "sample logo" not in n] == [
        "front_matter/program.yaml: paper 9 of camera_ready/papers.yaml in no session of the programme"]


def test_no_programme_no_sections(tmp_path: Path):
    project = copy_project(tmp_path / "plain")
    (project / "front_matter/program.yaml").unlink()
    shutil.rmtree(project / "front_matter/sponsors", ignore_errors=True)
    loaded = load_project(project)
    assert loaded.program == [] and loaded.sponsors == []


def test_calendar_without_time_zone_has_floating_times_and_item_ends(built):
    icalendar = pytest.importorskip("icalendar", reason="the test extra installs icalendar")
    from proceedings.export.program import render_ics

    _, result = built
    metadata = {**result.metadata, "program": {"days": result.metadata["program"]["days"]}}  # no timezone
    text = render_ics(metadata)
    assert text == render_ics(metadata)  # deterministic
    events = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}
    opening = events["EReL@MIR '25: Opening"].decoded("DTSTART")
    assert opening == dt.datetime(2025, 4, 28, 9, 0) and opening.tzinfo is None  # local wherever it is read
    second = result.metadata["papers"][1]  # 10:50–11:10, then paper 3 without a time
    assert events[second["title"]].decoded("DTEND") == dt.datetime(2025, 4, 28, 11, 10)
    panel = events.get("Panel: What to Measure")
    assert panel is None  # an item without a time is in its session's description only
    assert "What to Measure" in str(events["EReL@MIR '25: Session Three: Benchmarks"]["DESCRIPTION"])


def test_talk_markdown_in_index_html_is_rendered_and_raw_html_escaped(tmp_path: Path):
    from proceedings.export.htmlindex import render_index

    project = make_program_project(tmp_path / "proj")
    data = program_data()
    data[0]["sessions"][0]["items"][0]["bio"] = ("Works on *efficient* retrieval. <script>alert(1)</script>\n\n"
                                                 "| Year | Award |\n|---|---:|\n| 2024 | *Best* paper |\n")
    (project / "front_matter/program.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    from proceedings.export.program import program_metadata
    from proceedings.stages.plan import Plan

    loaded = load_project(project)
    metadata = {"volume": {"acronym": "X", "title": "T"}, "papers": [], **program_metadata(loaded, Plan([]))}
    html = render_index(metadata, tmp_path)
    assert "<em>efficient</em>" in html and "<script>" not in html and "&lt;script&gt;" in html
    assert "Keynote: Seeing Less, Finding More" in html
    assert '<th>Year</th>' in html and '<td style="text-align:right"><em>Best</em> paper</td>' in html  # a table


def test_new_logo_bytes_rebuild_the_front_matter(built, tmp_path: Path):
    """The front-matter cache is keyed by the logos' bytes, not only their names."""
    from pypdf import PdfReader

    project, _ = built
    copy = tmp_path / "proj"
    shutil.copytree(project, copy)
    _logo(copy / "front_matter/sponsors/gold.png", (420, 140), "#123456")
    build_project(copy)
    reader = PdfReader(copy / "build" / "front_matter.pdf")
    sizes = sorted((int(i["/Width"]), int(i["/Height"])) for p in reader.pages for i in _images(p))
    assert (420, 140) in sizes and (400, 160) not in sizes
    assert (copy / "build/sponsors/01-gold-corp.png").read_bytes() == \
        (copy / "front_matter/sponsors/gold.png").read_bytes()


def test_the_repositorys_sample_programme_follows_the_papers_it_is_copied_to(tmp_path: Path):
    """The repository's programme is marked ``sample: true``: copied beside other papers and dates it drops
    what does not fit, with a warning; the same programme without the mark is an input error."""
    project = copy_project(tmp_path / "p")
    papers_file = project / "camera_ready" / "papers.yaml"
    papers = yaml.safe_load(papers_file.read_text(encoding="utf-8"))[:2]
    for i, paper in enumerate(papers):
        paper["id"] = f"x{i}"
    papers_file.write_text(yaml.safe_dump(papers, allow_unicode=True, sort_keys=False), encoding="utf-8")
    loaded = load_project(project)
    assert any("sample programme: 10 item(s)" in n for n in loaded.notices), loaded.notices
    assert any("a sample programme (sample: true)" in n and "go into the volume" in n for n in loaded.notices)
    assert any("logo: 'logo-sample.png' is the sample logo" in n for n in loaded.notices)  # a chair's copy: told
    assert not [it for d in loaded.program for s in d.sessions for it in s.items if it.paper]
    assert any(it.kind_ == "keynote" for d in loaded.program for s in d.sessions for it in s.items)
    program = project / "front_matter" / "program.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("sample: true", "sample: false"),
                       encoding="utf-8")
    with pytest.raises(ProjectFileError, match="unknown paper id"):
        load_project(project)


def test_logos_are_checked_without_pillow_when_sound_and_by_pillow_when_not(tmp_path: Path):
    """PNG chunk CRCs, JPEG markers and the GIF trailer are read directly; anything else is Pillow's to judge."""
    from PIL import Image

    from proceedings.project.program import _sound_image, image_problem

    (tmp_path / "front_matter").mkdir()
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    for fmt in ("PNG", "JPEG", "GIF", "BMP"):
        image.save(tmp_path / "front_matter" / f"logo.{fmt.lower()}", fmt)
    assert [_sound_image(tmp_path / "front_matter" / f"logo.{e}") for e in ("png", "jpeg", "gif", "bmp")] == [
        True, True, True, False]
    assert image_problem(tmp_path, "logo.png") is None and image_problem(tmp_path, "logo.jpeg") is None
    assert "is a BMP image" in image_problem(tmp_path, "logo.bmp")
    data = bytearray((tmp_path / "front_matter" / "logo.png").read_bytes())
    data[-20] ^= 0xFF  # a bit flip in the image data: its chunk's CRC no longer matches
    (tmp_path / "front_matter" / "bad.png").write_bytes(bytes(data))
    assert not _sound_image(tmp_path / "front_matter" / "bad.png")
    assert "is not an image that can be printed" in (image_problem(tmp_path, "bad.png") or "")


def test_a_jpeg_logo_cut_short_is_refused_as_qpdf_check_would_fail_the_front_matter(tmp_path: Path):
    """A JPEG logo goes onto the front matter's pages as it is: one cut short (an interrupted download) would make
    front_matter.pdf and the volume fail ``qpdf --check``, so it is refused with the project's other problems
    (exit 2); with trailing bytes after its end, Pillow's judgement (it decodes) lets it through."""
    import io

    from PIL import Image

    from proceedings.project.program import _sound_image, image_problem

    (tmp_path / "front_matter").mkdir()
    buffer = io.BytesIO()
    Image.effect_noise((300, 120), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    whole = buffer.getvalue()
    for name, data in (("whole.jpg", whole), ("cut.jpg", whole[:len(whole) * 2 // 3]),
                       ("padded.jpg", whole + b"\0\0 trailing")):
        (tmp_path / "front_matter" / name).write_bytes(data)
    assert _sound_image(tmp_path / "front_matter" / "whole.jpg") and image_problem(tmp_path, "whole.jpg") is None
    assert not _sound_image(tmp_path / "front_matter" / "cut.jpg")
    assert image_problem(tmp_path, "cut.jpg") == (
        "'cut.jpg' cannot be printed: the JPEG data ends before the image does: the image was cut short; export it "
        "again")
    assert not _sound_image(tmp_path / "front_matter" / "padded.jpg") and image_problem(tmp_path, "padded.jpg") is None


def test_a_jpeg_logo_with_more_pictures_after_it_is_a_jpeg(tmp_path: Path):
    """Phones and cameras write JPEGs with a second picture after the first (MPO; Pillow names them so): printed
    as the JPEG they are. One too large to draw is refused with a message, not an internal error."""
    import io
    from unittest import mock

    from PIL import Image

    from proceedings.project.program import image_problem

    (tmp_path / "front_matter").mkdir()
    noise = Image.effect_noise((300, 120), 60).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "MPO", save_all=True, append_images=[noise.resize((150, 60))])
    (tmp_path / "front_matter" / "phone.jpg").write_bytes(buffer.getvalue() + b"\0" * 16)
    with Image.open(tmp_path / "front_matter" / "phone.jpg") as image:
        assert image.format == "MPO"
    assert image_problem(tmp_path, "phone.jpg") is None
    with mock.patch.object(Image, "MAX_IMAGE_PIXELS", 1000):  # a picture past Pillow's limit, made small
        assert "is too large an image to print" in (image_problem(tmp_path, "phone.jpg") or "")


def test_index_html_lists_every_talk_the_front_matter_gives_a_page_and_names_a_panel_no_keynote(tmp_path: Path):
    """A keynote without abstract or bio has its page in the front matter (and the contents): index.html lists and
    links it too; a panel with an abstract is shown, under "Talks", not under "Keynotes and invited talks"."""
    from proceedings.export.htmlindex import render_index
    from proceedings.export.program import program_metadata
    from proceedings.stages.plan import Plan

    project = make_program_project(tmp_path / "proj")
    data = program_data()
    keynote = data[0]["sessions"][0]["items"][0]
    del keynote["abstract"], keynote["bio"]
    (project / "front_matter/program.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    metadata = {"volume": {"acronym": "X", "title": "T"}, "papers": [],
                **program_metadata(load_project(project), Plan([]))}
    html = render_index(metadata, tmp_path)
    talks = html[html.index('<section class="talks">'):]
    assert "<h2>Keynotes and invited talks</h2>" in talks and "Seeing Less, Finding More" in talks
    assert re.search(r'<a href="#talk-seeing-less-finding-more"><b>Seeing Less', html)

    data[0]["sessions"][0]["items"][0] = {"title": "The Future", "kind": "panel", "abstract": "Where to *go*."}
    (project / "front_matter/program.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    metadata = {"volume": {"acronym": "X", "title": "T"}, "papers": [],
                **program_metadata(load_project(project), Plan([]))}
    talks = render_index(metadata, tmp_path).split('<section class="talks">')[1]
    assert "<h2>Talks</h2>" in talks and "Where to <em>go</em>." in talks
