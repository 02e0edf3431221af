"""Herald short links: one link per URL and post, one code per network, clicks counted per day,
network and referrer."""
