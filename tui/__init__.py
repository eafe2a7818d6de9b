"""charter.tui"""
