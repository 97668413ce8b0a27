"""Report sections: one data builder per module, rendered by `templates/sections/<key>.html`."""
