"""Every figure's module, by number: what ``python -m benchmarks`` runs, in order."""

FIGURES: dict[int, str] = {
    1: "benchmarks.fig01_requests_per_query",
    2: "benchmarks.fig02_keystroke_to_results",
    3: "benchmarks.fig03_page_append",
    4: "benchmarks.fig04_memory",
    5: "benchmarks.fig05_scroll_ahead",
    6: "benchmarks.fig06_cold_start",
    7: "benchmarks.fig07_server_search",
    8: "benchmarks.fig08_frame_budget",
    9: "benchmarks.fig09_address_book",
    10: "benchmarks.fig10_offline_start",
    11: "benchmarks.fig11_merge",
    12: "benchmarks.fig12_help_over_merged",
    13: "benchmarks.fig13_person_view",
    14: "benchmarks.fig14_people",
    15: "benchmarks.fig15_conversation",
    16: "benchmarks.fig16_search_command",
    17: "benchmarks.fig17_export_vcard",
    18: "benchmarks.fig18_memory_with_book",
}
