"""charter.agents"""
