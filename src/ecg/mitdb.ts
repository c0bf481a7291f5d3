// Facts about the MIT-BIH Arrhythmia Database (PhysioNet mitdb 1.0.0) used by the protocols and tests.

/** The 48 records of the MIT-BIH Arrhythmia Database. */
export const MITDB_RECORDS: readonly string[] = [
  '100', '101', '102', '103', '104', '105', '106', '107', '108', '109', '111', '112', '113', '114', '115', '116',
  '117', '118', '119', '121', '122', '123', '124', '200', '201', '202', '203', '205', '207', '208', '209', '210',
  '212', '213', '214', '215', '217', '219', '220', '221', '222', '223', '228', '230', '231', '232', '233', '234',
];

/** Records with paced rhythm (excluded by the de Chazal inter-patient protocol). */
export const PACED_RECORDS: readonly string[] = ['102', '104', '107', '217'];
