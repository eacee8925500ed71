"""bench/results.put_section: each step of `make bench` keeps its own section of RESULTS.md."""

from bench.results import put_section, write_keeping_others


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


def test_the_main_run_replaces_its_own_sections_and_keeps_the_later_steps_ones(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n- Date: then\n\n## Write path\n\n| old |\n")
    put_section("Durability", ["| 0 lost |"], path)
    put_section("FHIR", ["- p95 13 ms"], path)
    write_keeping_others(
        "# Benchmark results\n\n- Date: now\n\n## Write path\n\n| new |\n\n## Read paths\n\n| r |\n", path
    )
    text = path.read_text()
    assert "- Date: now" in text and "then" not in text and "| old |" not in text
    assert text.count("## Write path") == 1 and "| new |" in text and "## Read paths\n\n| r |" in text
    assert "## Durability\n\n| 0 lost |" in text and "## FHIR\n\n- p95 13 ms" in text
    assert text.index("## Read paths") < text.index("## Durability") < text.index("## FHIR")
