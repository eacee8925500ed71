"""The closeness circle: the client in the middle, one marker per person on their ring, a legend
for the relationship's status, nothing unescaped and no inline style."""

import itertools
import math
import re

from rapport.drawings.circle import (
    CENTRE,
    CHAR,
    FONT,
    LARGE_FONT,
    WIDTH,
    Person,
    Status,
    band_of,
    closeness_circle,
    ring_radius,
)

STATUSES = [
    Status("ongoing", "Ongoing"),
    Status("strained", "Strained"),
    Status("ended", "Ended"),
    Status("deceased", "Has died"),
]
PEOPLE = [
    Person("Mum", 1, "ongoing"),
    Person("Sam", 1, "strained"),
    Person("Dad", 2, "deceased"),
    Person("Old boss", 3, "ended"),
    Person("Neighbour", 3, ""),
    Person("Cousin", None, "ongoing"),
]
PERSON = re.compile(
    r'<g class="person ring-(?P<ring>\d+)(?: status-(?P<status>\w+))?" '
    r'transform="translate\((?P<x>[\d.]+) (?P<y>[\d.]+)\)"><title>(?P<title>[^<]*)</title>'
)


def draw(people=PEOPLE, **options):
    return closeness_circle(
        people,
        **{"rings": 3, "label": "Closeness circle", "centre": "Cai", "statuses": STATUSES, **options},
    )


def markers(svg):
    return [m.groupdict() for m in PERSON.finditer(svg)]


def test_one_marker_per_person_with_a_ring_and_none_for_a_person_left_off_the_circle():
    found = markers(draw())
    assert [m["title"] for m in found] == ["Mum", "Sam", "Dad", "Old boss", "Neighbour"]
    assert "Cousin" not in draw()


def test_each_person_sits_on_their_own_ring_the_closest_nearest_the_client():
    for m in markers(draw()):
        distance = math.dist((float(m["x"]), float(m["y"])), (CENTRE, CENTRE))
        assert abs(distance - ring_radius(int(m["ring"]), 3)) < 0.2
    assert ring_radius(1, 3) < ring_radius(2, 3) < ring_radius(3, 3) < WIDTH / 2


def test_there_is_one_ring_per_protocol_ring_and_the_client_in_the_middle():
    assert draw().count('class="ring"') == 3
    assert draw(rings=4).count('class="ring"') == 4
    assert '<text x="240" y="245" text-anchor="middle" class="centre" fill="#fff">Cai</text>' in draw()


def test_people_on_a_ring_are_spread_evenly_and_the_same_input_draws_the_same_picture():
    people = [Person(f"P{i}", 2, "ongoing") for i in range(5)]
    angles = [math.atan2(float(m["y"]) - CENTRE, float(m["x"]) - CENTRE) for m in markers(draw(people))]
    gaps = [(b - a) % (2 * math.pi) for a, b in itertools.pairwise(angles)]
    assert all(abs(gap - 2 * math.pi / 5) < 0.005 for gap in gaps)
    assert draw(people) == draw(people)


def test_the_status_sets_the_marker_and_the_legend_names_each_status():
    svg = draw()
    assert [m["status"] for m in markers(svg)] == ["ongoing", "strained", "deceased", "ended", "not_recorded"]
    assert svg.count('class="legend-item"') == 5
    for text in ("Ongoing", "Strained", "Ended", "Has died", "Not recorded"):
        assert f'class="legend">{text}</text>' in svg


def test_not_recorded_joins_the_legend_only_when_someone_has_no_status():
    svg = draw([Person("Mum", 1, "ongoing")])
    assert "Not recorded" not in svg and svg.count('class="legend-item"') == 4


def test_the_circle_shown_to_the_client_has_names_but_no_statuses():
    svg = draw(show_status=False)
    assert [m["status"] for m in markers(svg)] == [None] * 5
    assert "legend" not in svg and "Has died" not in svg and "Strained" not in svg


def test_names_titles_and_labels_are_escaped():
    svg = draw(
        [Person("<script>alert(1)</script>", 1, "ongoing", title='"x" & <b>')],
        label='A "circle" <i>',
        centre="<u>",
        statuses=[Status("ongoing", "<em>On</em>")],
    )
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg and "<em>" not in svg
    assert "<u>" not in svg
    assert 'aria-label="A &quot;circle&quot; &lt;i&gt;"' in svg and 'role="img"' in svg


LABEL = re.compile(
    r'<g class="person ring-(?P<ring>\d+)[^"]*" transform="translate\((?P<x>[\d.]+) (?P<y>[\d.]+)\)">'
    r"<title>[^<]*</title>.*?"
    r'<text x="(?P<dx>-?[\d.]+)" y="(?P<dy>-?[\d.]+)" text-anchor="(?P<anchor>\w+)" class="name">'
    r"(?P<name>[^<]*)</text>"
)


def label_boxes(svg, font=15):
    """Each drawn name's box, worked out from the SVG alone: the anchor point, the text-anchor and
    the name's length at the widths the drawing assumes."""
    for m in LABEL.finditer(svg):
        x, y = float(m["x"]) + float(m["dx"]), float(m["y"]) + float(m["dy"])
        width = len(m["name"]) * CHAR * font
        left = {"middle": x - width / 2, "start": x, "end": x - width}[m["anchor"]]
        yield int(m["ring"]), m["name"], (left, y - 0.75 * font, left + width, y + 0.25 * font)


def test_a_long_name_is_shortened_on_the_circle_kept_whole_in_its_title_and_stays_inside():
    name = "Great-aunt Wilhelmina Featherstonehaugh"
    svg = draw([Person(name, 3, "ongoing")])
    [(_ring, shown, box)] = list(label_boxes(svg))
    assert f"<title>{name}</title>" in svg and shown.endswith("…") and 6 <= len(shown) <= 18
    assert box[0] >= 0 and box[2] <= WIDTH


def inside_band(box, ring, rings):
    inner, outer = band_of(ring, rings)
    corners = [math.dist((x, y), (CENTRE, CENTRE)) for x in (box[0], box[2]) for y in (box[1], box[3])]
    nearest = math.dist(
        (min(max(CENTRE, box[0]), box[2]), min(max(CENTRE, box[1]), box[3])), (CENTRE, CENTRE)
    )
    return nearest >= inner and max(corners) <= outer


NAMES = [
    "Mum",
    "Dad",
    "Sam",
    "Grandma Rose",
    "Neighbour",
    "Best friend Aisha",
    "Coach",
    "Mr Okafor",
    "Little brother",
    "Ex-girlfriend",
    "Aunt",
    "Teacher at school",
    "Jo",
    "Uncle Bartholomew",
]


def generated_layouts():
    """Circles of every size the inventory meets: 3 and 4 rings, one to six people a ring, long and
    short names, both sizes of type."""
    for rings in (3, 4):
        for per_ring in range(1, 7):
            for offset in (0, 5):
                people = [
                    Person(NAMES[(offset + ring * 3 + i) % len(NAMES)], ring, "ongoing")
                    for ring in range(1, rings + 1)
                    for i in range(per_ring)
                ]
                for large in (False, True):
                    yield rings, large, people


def test_no_name_straddles_a_ring_line_in_any_generated_circle():
    checked = 0
    for rings, large, people in generated_layouts():
        svg = draw(people, rings=rings, large=large)
        boxes = list(label_boxes(svg, LARGE_FONT if large else FONT))
        assert len(boxes) == len(people)
        for ring, name, box in boxes:
            assert name, (rings, large, ring)
            assert inside_band(box, ring, rings), (rings, large, ring, name, box)
            checked += 1
    assert checked > 500


def test_a_name_that_fits_its_band_is_drawn_whole():
    svg = draw([Person("Mum", 1, "ongoing"), Person("Neighbour", 3, "ongoing")])
    assert [name for _ring, name, _box in label_boxes(svg)] == ["Mum", "Neighbour"]


def test_the_large_circle_for_the_client_fits_fewer_letters_of_a_long_name():
    people = [Person("Bartholomew the neighbour", 1, "ongoing"), Person("Grandmother Rosalind", 1, "ongoing")]
    small, large = draw(people), draw(people, large=True)
    assert 'class="circle large"' in large and 'class="circle"' in small

    def names(svg):
        return re.findall(r'class="name">([^<]+)</text>', svg)

    assert all(len(b) < len(a) for a, b in zip(names(small), names(large), strict=True))


def test_no_inline_style_that_the_content_security_policy_would_block():
    assert "style=" not in draw() and "style=" not in draw(show_status=False)
