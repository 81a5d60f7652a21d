//! Calibration of priority weights from reviewed outcomes.
