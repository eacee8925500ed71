"""bench/results.put_section: each step of `make bench` keeps its own section of RESULTS.md."""

from bench.results import put_section


def test_a_section_is_appended_then_replaced_and_the_others_are_kept(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Write path\n\n| a |\n\n## Read paths\n\n| b |\n")
    put_section("Fuzz", ["- 0 failing"], path)
    put_section("Write path", ["| new |"], path)
    put_section("Fuzz", ["- 2 failing"], path)
    text = path.read_text()
    assert text.count("## Fuzz") == 1 and "- 2 failing" in text and "- 0 failing" not in text
    assert "| new |" in text and "| a |" not in text and "## Read paths\n\n| b |" in text
    assert text.index("## Read paths") < text.index("## Write path") < text.index("## Fuzz")
