"""What the screen asks for: accounts, sources of contacts, people, actions, export.

Plain async Python: nothing here imports Textual, the demo, the config or argparse.
"""
