// Progressive enhancements of the e-CARS pages; every page works without them.
