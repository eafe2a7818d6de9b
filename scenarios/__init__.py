"""charter.scenarios"""
