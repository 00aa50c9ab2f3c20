"""classroom"""
TEXT = {
}
