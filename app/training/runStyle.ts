// Colours and dash patterns of earlier runs on the charts: distinct from the live run's blue and
// orange, dark enough for text contrast on white (the run list uses them as swatches too).
const COLORS = ['#7c3aed', '#047857', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#1e40af'];
const DASHES = ['6 3', '2 2', '8 3 2 3', '4 4'];

export const runColor = (id: number) => COLORS[(id - 1) % COLORS.length];
export const runDash = (id: number) => DASHES[(id - 1) % DASHES.length];
