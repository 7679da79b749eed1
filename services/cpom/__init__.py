"""CPOM (guide 004): organisations, CPOM sheet, objectives, indicators, transmission."""
