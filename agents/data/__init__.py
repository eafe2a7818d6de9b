"""charter.agents.data"""
