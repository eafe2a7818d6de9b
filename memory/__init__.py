"""charter.memory"""
