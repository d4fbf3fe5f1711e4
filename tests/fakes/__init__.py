"""Local fakes of the outside services the channels talk to, on 127.0.0.1."""
