"""Renderers shared by several routers: answers, keyboards."""
