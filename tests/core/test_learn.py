"""The Learn pages: the index in learn.yaml, and the plain-language template fragments it names."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import rapport
from rapport.core import learn, protocol
from rapport.core.datafiles import DefinitionError

TEMPLATES = Path(rapport.__file__).parent / "templates"
LEARN_DIR = TEMPLATES / "portal" / "learn"

BLOCK = re.compile(r"{%\s*blocktranslate trimmed\s*%}(.*?){%\s*endblocktranslate\s*%}", re.DOTALL)
SIMPLE = re.compile(r'{%\s*translate\s+"([^"\\]*)"\s*%}')
ALLOWED_TAGS = {"h2", "p", "ul", "ol", "li", "aside"}


def template_paths() -> list[Path]:
    return sorted(LEARN_DIR.glob("*.html"))


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def readable_text(text: str) -> str:
    """What a reader sees: the translatable strings, without the markup."""
    pieces = [match.group(1) for match in BLOCK.finditer(text)] + SIMPLE.findall(text)
    return re.sub(r"\s+", " ", " ".join(pieces)).strip()


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?:])\s+", readable_text(text))


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def tags(text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Tags()
    parser.feed(text)
    parser.close()
    return parser.tags


each_template = pytest.mark.parametrize("path", template_paths(), ids=lambda path: path.stem)


def write_index(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "learn.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def page_entry(slug: str = "depression", order: int = 1, extra: str = "") -> str:
    return f"  - {{slug: {slug}, title: A title, summary: One sentence., order: {order}{extra}}}\n"


# The index


def test_the_index_lists_the_six_pages_in_reading_order():
    assert [page.slug for page in learn.pages()] == [
        "depression",
        "what-is-ipt",
        "how-a-course-runs",
        "problem-areas",
        "preparing",
        "getting-help",
    ]
    assert [page.order for page in learn.pages()] == sorted(page.order for page in learn.pages())


def test_slugs_are_unique_and_url_safe():
    slugs = [page.slug for page in learn.pages()]
    assert len(slugs) == len(set(slugs))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) for slug in slugs)


def test_every_page_has_a_title_and_a_one_sentence_summary():
    for page in learn.pages():
        assert page.title.strip()
        assert page.summary.endswith(".")
        assert not re.search(r"[.!?]\s", page.summary)


def test_get_finds_a_page_by_its_slug():
    page = learn.get("getting-help")
    assert page.slug == "getting-help"
    assert page.template_name == "portal/learn/getting-help.html"


def test_get_raises_unknown_page_which_is_a_key_error():
    with pytest.raises(learn.UnknownPage):
        learn.get("no-such-page")
    with pytest.raises(KeyError):
        learn.get("Depression")


def test_every_page_in_the_index_has_a_template():
    missing = [page.slug for page in learn.pages() if not (TEMPLATES / page.template_name).is_file()]
    assert missing == []


def test_every_template_is_in_the_index():
    assert {path.stem for path in template_paths()} == {page.slug for page in learn.pages()}


# The loader


def test_the_loader_reads_a_file_it_is_given_and_sorts_by_order(tmp_path):
    path = write_index(tmp_path, 'version: "2"\npages:\n' + page_entry("b", 2) + page_entry("a", 1))
    index = learn.load_index(path)
    assert index.version == "2"
    assert [page.slug for page in index.pages] == ["a", "b"]


def test_the_loader_rejects_an_unknown_key_on_a_page(tmp_path):
    path = write_index(tmp_path, 'version: "1"\npages:\n' + page_entry(extra=", colour: blue"))
    with pytest.raises(DefinitionError, match=r"learn\.yaml: pages\[0\]: unknown field\(s\) colour"):
        learn.load_index(path)


def test_the_loader_rejects_an_unknown_key_at_the_top(tmp_path):
    path = write_index(tmp_path, 'version: "1"\nauthor: me\npages:\n' + page_entry())
    with pytest.raises(DefinitionError, match=r"unknown field\(s\) author"):
        learn.load_index(path)


def test_the_loader_rejects_a_duplicate_slug(tmp_path):
    path = write_index(tmp_path, 'version: "1"\npages:\n' + page_entry("same", 1) + page_entry("same", 2))
    with pytest.raises(DefinitionError, match="duplicate slug 'same'"):
        learn.load_index(path)


def test_the_loader_rejects_a_duplicate_order(tmp_path):
    path = write_index(tmp_path, 'version: "1"\npages:\n' + page_entry("a", 1) + page_entry("b", 1))
    with pytest.raises(DefinitionError, match="duplicate order '1'"):
        learn.load_index(path)


@pytest.mark.parametrize("slug", ["Depression", "what_is_ipt", "getting--help", "-help", "help/now"])
def test_the_loader_rejects_a_slug_that_is_not_url_safe(tmp_path, slug):
    path = write_index(
        tmp_path, f'version: "1"\npages:\n  - {{slug: "{slug}", title: T, summary: S., order: 1}}\n'
    )
    with pytest.raises(DefinitionError, match="is not a slug"):
        learn.load_index(path)


def test_the_loader_rejects_a_summary_of_two_sentences(tmp_path):
    path = write_index(
        tmp_path, 'version: "1"\npages:\n  - {slug: a, title: T, summary: "One. Two.", order: 1}\n'
    )
    with pytest.raises(DefinitionError, match="one sentence"):
        learn.load_index(path)


def test_the_loader_rejects_an_empty_list_of_pages(tmp_path):
    path = write_index(tmp_path, 'version: "1"\npages: []\n')
    with pytest.raises(DefinitionError, match="must not be empty"):
        learn.load_index(path)


# The templates


@each_template
def test_a_template_is_a_fragment_that_loads_i18n(path):
    text = source(path)
    assert text.startswith("{% load i18n %}")
    assert "{% extends" not in text
    assert not re.search(r"{%\s*block\s", text)


@each_template
def test_a_template_uses_only_plain_semantic_html(path):
    found = tags(source(path))
    assert {tag for tag, _ in found} <= ALLOWED_TAGS
    for tag, attrs in found:
        names = {name for name, _ in attrs}
        if tag == "aside":
            assert attrs == [("class", "note")]
        elif tag == "h2":
            assert names <= {"id"}
        else:
            assert attrs == [], f"<{tag}> has attributes {attrs}"


@each_template
def test_a_template_has_no_inline_style_script_image_or_link(path):
    text = source(path).lower()
    for forbidden in ("style=", "<style", "<script", "<img", "<a ", "href", "src=", "http", "www."):
        assert forbidden not in text


@each_template
def test_every_sentence_in_a_template_is_marked_for_translation(path):
    text = source(path).removeprefix("{% load i18n %}")
    leftover = re.sub(r"<[^>]+>", " ", SIMPLE.sub(" ", BLOCK.sub(" ", text)))
    assert leftover.strip() == ""
    # A variable or a tag inside a translated block would change what translators see.
    for block in BLOCK.findall(text):
        assert "{{" not in block and "{%" not in block


@each_template
def test_a_template_never_says_patient(path):
    assert not re.search(r"patient", source(path), re.IGNORECASE)


@each_template
def test_a_template_mentions_diagnosis_only_to_say_it_does_not_diagnose(path):
    for sentence in sentences(source(path)):
        if re.search(r"diagnos", sentence, re.IGNORECASE):
            assert re.search(r"\b(does|do) not diagnose\b", sentence), sentence


@each_template
def test_a_template_has_no_phone_numbers(path):
    # Crisis and emergency numbers come from the per-country data, never from page text.
    text = readable_text(source(path))
    assert not re.search(r"\d{3,}", text)
    assert not re.search(r"\d+(?:[\s.\-]\d+){2,}", text)


@each_template
def test_a_template_uses_h2_for_its_sections(path):
    found = [tag for tag, _ in tags(source(path))]
    assert "h2" in found
    assert "h1" not in found


@each_template
def test_a_template_is_between_250_and_600_words(path):
    words = re.findall(r"[\w'-]+", readable_text(source(path)))
    assert 250 <= len(words) <= 600, len(words)


def test_the_pages_use_the_agreed_clinical_terms():
    text = " ".join(readable_text(source(path)) for path in template_paths()).lower()
    for term in (
        "course of ipt",
        "problem area",
        "interpersonal inventory",
        "closeness circle",
        "safety plan",
    ):
        assert term in text, term


def test_the_problem_areas_page_has_a_section_for_each_problem_area_in_the_protocol():
    ids = {
        value
        for tag, attrs in tags(source(LEARN_DIR / "problem-areas.html"))
        if tag == "h2"
        for name, value in attrs
        if name == "id"
    }
    assert ids == {area.id for area in protocol.get().problem_areas}
    assert ids == {"grief", "role_dispute", "role_transition", "interpersonal_deficits"}


def test_the_getting_help_page_says_it_is_not_a_crisis_service_and_where_help_is():
    text = readable_text(source(LEARN_DIR / "getting-help.html"))
    assert "not a crisis service" in text
    assert "local emergency number" in text
    assert '"I need help now"' in text
    assert "safety plan" in text
