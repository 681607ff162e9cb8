// Tests of Worker.
