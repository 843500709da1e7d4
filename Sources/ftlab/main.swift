print("ftlab")
