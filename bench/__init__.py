"""The benchmark of this assistant against Rasa's stock `rasa init` bot (`make bench`)."""
