// Tests of BatchCore.
