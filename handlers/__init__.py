"""Channel adapters: they turn updates into ``Incoming``, call the dialogue, render replies."""
