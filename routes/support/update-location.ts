/** The path of an EKS update of a cluster, the `Location` of every answer that starts one. */
export const updateLocation = (cluster: string, updateId: string | undefined) =>
  `/clusters/${encodeURIComponent(cluster)}/updates/${encodeURIComponent(updateId ?? '')}`
