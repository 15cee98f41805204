"""Portal: the public hotspot landing pages (captive portal) end customers see."""
