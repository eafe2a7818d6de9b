"""charter.graph"""
