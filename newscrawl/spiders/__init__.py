"""Portal spiders: one file per portal, the spider name equals the file name."""
