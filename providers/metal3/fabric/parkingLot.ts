/** The management network unassigned hosts wait in; what `whereIs` answers for them. */
export const PARKING_LOT = 'parking-lot';
