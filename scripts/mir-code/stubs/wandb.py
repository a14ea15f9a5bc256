# gen_main.py imports wandb at the top; with --log off (the default) it never calls it.
