// The regions' routines by the names staff know them.

const REGION_NAMES: Record<string, string> = {
  kristianstad: "Kristianstad (Skåne)",
  jonkoping: "Region Jönköpings län",
  vastra_gotaland: "Västra Götaland",
  stockholm: "Region Stockholm",
  base: "Nationell grundrutin",
};

export function regionName(region: string | null | undefined): string {
  if (!region) return "";
  return REGION_NAMES[region] ?? region;
}
