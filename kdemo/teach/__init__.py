"""What a finished run teaches: the Temperature lab's maths, the teaching views, the missing-class bias, the HTML report."""
