"""remote_eval"""
