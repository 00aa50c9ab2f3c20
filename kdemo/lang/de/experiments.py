"""experiments"""
TEXT = {
}
