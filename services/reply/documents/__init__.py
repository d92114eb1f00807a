"""The documents reply makes: the 答复函 of each reply and the 面商记录表 of each lead unit."""
