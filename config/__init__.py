"""Config (the bottom layer): settings from the environment and logging; imports no other package of ours."""
