"""平安曝光: public exposure actions listing places and their serious problems."""
