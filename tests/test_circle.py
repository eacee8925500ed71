"""The closeness circle: the client in the middle, one marker per person on their ring, a legend
for the relationship's status, nothing unescaped and no inline style."""

import itertools
import math
import re

from rapport.drawings.circle import CENTRE, WIDTH, Person, Status, closeness_circle, ring_radius

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


def test_a_long_name_is_shortened_on_the_circle_kept_whole_in_its_title_and_stays_inside():
    name = "Great-aunt Wilhelmina Featherstonehaugh"
    svg = draw([Person(name, 3, "ongoing")])
    shown = re.search(r'<text x="(-?[\d.]+)" y="26" text-anchor="middle" class="name">([^<]+)</text>', svg)
    assert f"<title>{name}</title>" in svg and shown[2].endswith("…") and len(shown[2]) <= 18
    (x, _y) = (float(v) for v in re.search(r"translate\(([\d.]+) ([\d.]+)\)", svg).groups())
    half = len(shown[2]) * 0.56 * 15 / 2
    assert x + float(shown[1]) - half >= 0 and x + float(shown[1]) + half <= WIDTH


def test_the_large_circle_for_the_client_fits_fewer_letters_of_a_long_name():
    people = [Person("Bartholomew the neighbour", 1, "ongoing"), Person("Grandmother Rosalind", 1, "ongoing")]
    small, large = draw(people), draw(people, large=True)
    assert 'class="circle large"' in large and 'class="circle"' in small

    def names(svg):
        return re.findall(r'class="name">([^<]+)</text>', svg)

    assert all(len(b) < len(a) for a, b in zip(names(small), names(large), strict=True))


def test_no_inline_style_that_the_content_security_policy_would_block():
    assert "style=" not in draw() and "style=" not in draw(show_status=False)
